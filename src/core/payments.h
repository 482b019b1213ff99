// Payments: create, capture, read, and the job handler that processes them.
// Each use case is one transaction with the jobs it causes.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/event_format.h"
#include "core/instrument.h"
#include "core/job.h"
#include "core/merchant.h"
#include "core/payment.h"
#include "core/processor.h"
#include "core/txn_hook.h"
#include "store/database.h"

namespace paygate {

// What a create-payment request asks for, after its JSON types were checked.
struct NewPayment {
  std::string order_id;
  std::optional<std::int64_t> amount;   // must equal the order's when given
  std::optional<std::string> currency;  // must equal the order's when given
  std::string method;
  std::optional<std::string> vpa;
  std::optional<CardInput> card;
};

struct PaymentSettings {
  Micros processing_delay = 1'000'000;
  // PROCESSING longer than this, or CREATED longer with no live job, is settled FAILED.
  Micros processing_timeout = 300'000'000;
  std::string fingerprint_key;
};

class PaymentService {
 public:
  // formats: the shapes its events are sent in.
  PaymentService(store::Database& db, const Processor& processor, const EventFormats& formats,
                 PaymentSettings settings, std::function<void()> on_job_enqueued)
      : db_(db),
        processor_(processor),
        formats_(formats),
        settings_(std::move(settings)),
        on_job_enqueued_(std::move(on_job_enqueued)) {}

  // Stores the payment CREATED and queues its processing. auto_capture: the
  // checkout's payments are captured the moment they succeed.
  // hook (here and in capture) runs inside the use case's transaction.
  boost::asio::awaitable<Result<Payment>> create(const Merchant& merchant, NewPayment input,
                                                 bool auto_capture,
                                                 const TxnHook<Payment>& hook = {});
  boost::asio::awaitable<Result<Payment>> get(const Merchant& merchant, std::string_view id);
  boost::asio::awaitable<Result<Payment>> get_public(std::string_view id);
  boost::asio::awaitable<Result<std::vector<Payment>>> list(const Merchant& merchant,
                                                            PaymentPage page);
  // precondition, when given, sees the payment as the capture's transaction
  // read it and may refuse (an API dialect's own rules, such as Razorpay's
  // amount check), with no read of its own and no race with another capture.
  boost::asio::awaitable<Result<Payment>> capture(
      const Merchant& merchant, std::string_view id, const TxnHook<Payment>& hook = {},
      const std::function<Status(const Payment&)>& precondition = {});
  // Replaces the payment's notes (a change like any other: a new version).
  boost::asio::awaitable<Result<Payment>> update_notes(const Merchant& merchant,
                                                       std::string_view id,
                                                       const boost::json::object& notes);

  // The payment.process job: CREATED -> PROCESSING, then (after the simulated
  // delay, as a continuation of the job, holding no thread) SUCCESS or FAILED.
  // Running it again never changes a final status.
  boost::asio::awaitable<Status> process(const Job& job);
  // The janitor of payments not yet final: FAILED (PROCESSING_TIMEOUT) when
  // PROCESSING longer than the processing timeout, or CREATED that long with
  // no live job; a younger CREATED payment with no live job gets its job back.
  boost::asio::awaitable<Status> reconcile();

 private:
  store::Database& db_;
  const Processor& processor_;
  const EventFormats& formats_;
  const PaymentSettings settings_;
  const std::function<void()> on_job_enqueued_;
};

Status validate_payment_page(const PaymentPage& page);

}  // namespace paygate
