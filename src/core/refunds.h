// Refunds: create (never more than was paid, also under concurrency), read,
// and the job that settles them.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <vector>

#include "core/error.h"
#include "core/event_format.h"
#include "core/job.h"
#include "core/merchant.h"
#include "core/processor.h"
#include "core/refund.h"
#include "core/txn_hook.h"
#include "store/database.h"

namespace paygate {

struct RefundSettings {
  Micros processing_delay = 1'000'000;
  Micros timeout = 300'000'000;  // PENDING longer than this (from creation) is settled FAILED
};

class RefundService {
 public:
  // formats: the shapes its events are sent in.
  RefundService(store::Database& db, const Processor& processor, const EventFormats& formats,
                RefundSettings settings, std::function<void()> on_job_enqueued)
      : db_(db),
        processor_(processor),
        formats_(formats),
        settings_(settings),
        on_job_enqueued_(std::move(on_job_enqueued)) {}

  // A PENDING refund and its job, in one transaction that also checks, under
  // the payment's lock, that the refunds not FAILED stay within its amount.
  // hook runs inside the transaction that stores the refund.
  boost::asio::awaitable<Result<Refund>> create(const Merchant& merchant, NewRefund input,
                                                const TxnHook<Refund>& hook = {});
  boost::asio::awaitable<Result<Refund>> get(const Merchant& merchant, std::string_view id);
  // Replaces the refund's notes (a change like any other: a new version).
  boost::asio::awaitable<Result<Refund>> update_notes(const Merchant& merchant, std::string_view id,
                                                      const boost::json::object& notes);
  boost::asio::awaitable<Result<std::vector<Refund>>> list(const Merchant& merchant,
                                                           RefundPage page);

  // The refund.process job: PENDING -> (after the simulated delay, as a
  // continuation) PROCESSED or FAILED. Idempotent.
  boost::asio::awaitable<Status> process(const Job& job);
  // Settles refunds still PENDING past the timeout (their job lost, dead or
  // starved) as FAILED with REFUND_TIMEOUT, as a declined refund is: the
  // amount they held is free again and refund.failed is sent.
  boost::asio::awaitable<Status> reconcile();

 private:
  store::Database& db_;
  const Processor& processor_;
  const EventFormats& formats_;
  const RefundSettings settings_;
  const std::function<void()> on_job_enqueued_;
};

}  // namespace paygate
