// The merchant's events log: every event that happened, listed and fetched by
// the events API, delivered again on request, and purged after its retention.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/merchant.h"
#include "core/txn_hook.h"
#include "core/webhook.h"
#include "store/database.h"
#include "store/event_repository.h"

namespace paygate {

class EventLogService {
 public:
  // retention: how long an event (with its deliveries) is kept.
  EventLogService(store::Database& db, Micros retention, std::function<void()> on_job_enqueued)
      : db_(db), retention_(retention), on_job_enqueued_(std::move(on_job_enqueued)) {}

  boost::asio::awaitable<Result<std::vector<Event>>> list(const Merchant& merchant,
                                                          store::EventQuery query);
  boost::asio::awaitable<Result<Event>> get(const Merchant& merchant, std::string_view id);
  // A fresh delivery of the event to webhook_id, or (when it is empty) to
  // every active paygate-format endpoint subscribed to its type; a 400 when
  // there is none.
  boost::asio::awaitable<Result<std::vector<Delivery>>> resend(
      const Merchant& merchant, std::string_view id, std::string_view webhook_id,
      const TxnHook<std::vector<Delivery>>& hook = {});

  // The merchant's events numbered after seq, oldest first (streams).
  boost::asio::awaitable<Result<std::vector<Event>>> after(std::string_view merchant_id,
                                                           std::int64_t seq, std::int64_t limit);
  // The number of the merchant's newest event.
  boost::asio::awaitable<Result<std::int64_t>> latest(std::string_view merchant_id);

  // Deletes events older than the retention with their deliveries, a chunk
  // per transaction so that writers never wait long behind it (the job
  // runner's periodic task).
  boost::asio::awaitable<Status> purge_expired();

 private:
  store::Database& db_;
  const Micros retention_;
  const std::function<void()> on_job_enqueued_;
};

}  // namespace paygate
