#include "store/event_repository.h"

namespace paygate::store {

namespace {

#define PAYGATE_EVENT_COLUMNS "id, merchant_id, type, payload, created_at, format, seq, object_id"

constexpr Sql kTakeSeq{
    "UPDATE merchants SET event_seq = event_seq + 1 WHERE id = $1 RETURNING event_seq"};
constexpr Sql kLatestSeq{"SELECT event_seq FROM merchants WHERE id = $1"};

// seq IS NOT NULL: paygate's own events, not those rendered for an endpoint of
// another format.
constexpr Sql kList{"SELECT " PAYGATE_EVENT_COLUMNS
                    " FROM events WHERE merchant_id = $1 AND seq IS NOT NULL"
                    " AND created_at >= $2 AND created_at <= $3"
                    " AND ($6 = '' OR type = $6) AND ($7 = '' OR object_id = $7)"
                    " ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5"};
constexpr Sql kFind{"SELECT " PAYGATE_EVENT_COLUMNS
                    " FROM events WHERE id = $1 AND merchant_id = $2 AND seq IS NOT NULL"};
constexpr Sql kAfter{"SELECT " PAYGATE_EVENT_COLUMNS
                     " FROM events WHERE merchant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"};

// The oldest events first, a chunk at a time, children before parents.
constexpr Sql kPurgeAttempts{
    "DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT d.id FROM webhook_deliveries d"
    " WHERE d.event_id IN (SELECT id FROM events WHERE created_at < $1"
    " ORDER BY created_at, id LIMIT $2))"};
constexpr Sql kPurgeDeliveries{
    "DELETE FROM webhook_deliveries WHERE event_id IN (SELECT id FROM events"
    " WHERE created_at < $1 ORDER BY created_at, id LIMIT $2)"};
constexpr Sql kPurgeEvents{
    "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE created_at < $1"
    " ORDER BY created_at, id LIMIT $2)"};

#undef PAYGATE_EVENT_COLUMNS

Event event_from_row(const Row& r) {
  return Event{r.string(0), r.string(1), r.string(2),         r.string(3),
               r.int64(4),  r.string(5), r.optional_int64(6), r.optional_string(7)};
}

}  // namespace

Result<std::int64_t> take_event_seq(Connection& conn, std::string_view merchant_id) {
  const Param params[] = {merchant_id};
  auto seq = query_one(conn, kTakeSeq, params, [](const Row& r) { return r.int64(0); });
  if (!seq) return fail(seq.error());
  if (!*seq) return fail(Error::internal("no merchant " + std::string(merchant_id)));
  return **seq;
}

Result<std::int64_t> latest_event_seq(Connection& conn, std::string_view merchant_id) {
  const Param params[] = {merchant_id};
  auto seq = query_one(conn, kLatestSeq, params, [](const Row& r) { return r.int64(0); });
  if (!seq) return fail(seq.error());
  return seq->value_or(0);
}

Status signal_events(Connection& conn) {
  return conn.signal(kEventsChannel);
}

Result<std::vector<Event>> list_events(Connection& conn, std::string_view merchant_id,
                                       const EventQuery& query) {
  const PageWindow& w = query.window;
  const Param params[] = {merchant_id, w.from, w.to, w.count, w.skip, query.type, query.object_id};
  return query_all(conn, kList, params, event_from_row);
}

Result<std::optional<Event>> find_logged_event(Connection& conn, std::string_view merchant_id,
                                               std::string_view id) {
  const Param params[] = {id, merchant_id};
  return query_one(conn, kFind, params, event_from_row);
}

Result<std::vector<Event>> events_after(Connection& conn, std::string_view merchant_id,
                                        std::int64_t seq, std::int64_t limit) {
  const Param params[] = {merchant_id, seq, limit};
  return query_all(conn, kAfter, params, event_from_row);
}

Result<std::int64_t> purge_events(Connection& conn, Micros before, std::int64_t limit) {
  const Param params[] = {before, limit};
  if (auto r = conn.execute(kPurgeAttempts, params); !r) return fail(r.error());
  if (auto r = conn.execute(kPurgeDeliveries, params); !r) return fail(r.error());
  return conn.execute(kPurgeEvents, params);
}

}  // namespace paygate::store
