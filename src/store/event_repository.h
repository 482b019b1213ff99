// SQL for the events log: every event in paygate's shape, numbered per
// merchant in commit order, listed newest first and read after a number by
// streams. (Deliveries of events live in webhook_repository.)
#pragma once

#include <optional>
#include <vector>

#include "core/paging.h"
#include "core/webhook.h"
#include "store/database.h"

namespace paygate::store {

// The channel a transaction that logs events signals (Database::listen).
inline constexpr std::string_view kEventsChannel = "paygate_events";

// Takes the merchant's next event number. The merchant's row stays locked
// until the transaction ends, so numbers become visible in the order taken.
Result<std::int64_t> take_event_seq(Connection& conn, std::string_view merchant_id);
// The number of the merchant's newest event (0 when none).
Result<std::int64_t> latest_event_seq(Connection& conn, std::string_view merchant_id);
// Signals kEventsChannel when the transaction commits (PostgreSQL: to every
// process; SQLite: to this one).
Status signal_events(Connection& conn);

struct EventQuery {
  PageWindow window;
  std::string type;       // "" for any
  std::string object_id;  // "" for any
};
// The merchant's logged events, newest first.
Result<std::vector<Event>> list_events(Connection& conn, std::string_view merchant_id,
                                       const EventQuery& query);
// One logged event of the merchant.
Result<std::optional<Event>> find_logged_event(Connection& conn, std::string_view merchant_id,
                                               std::string_view id);
// The merchant's events numbered after `seq`, oldest first, at most `limit`.
Result<std::vector<Event>> events_after(Connection& conn, std::string_view merchant_id,
                                        std::int64_t seq, std::int64_t limit);
// Deletes up to `limit` events created before `before`, in every format, with
// their deliveries and attempts; how many events it deleted.
Result<std::int64_t> purge_events(Connection& conn, Micros before, std::int64_t limit);

}  // namespace paygate::store
