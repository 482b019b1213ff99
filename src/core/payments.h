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
  // X-Paygate-Test-Outcome as sent (sandbox_outcome.h); the api layer
  // refuses it outside test mode.
  std::optional<std::string> test_outcome;
  // "scheme://host[:port]" the hosted authentication page is served at, for
  // next_action.url ("" for a URL relative to the gateway).
  std::string page_base_url;
};

struct PaymentSettings {
  Micros processing_delay = 1'000'000;
  // PROCESSING longer than this, or CREATED longer with no live job, is settled FAILED.
  Micros processing_timeout = 300'000'000;
  std::string fingerprint_key;
  // How long a shopper has to answer an authentication step.
  Micros authentication_timeout = 180'000'000;
};

// The shopper's answer on the authentication page: approve (a card needs the
// OTP) or reject.
struct AuthenticationAnswer {
  bool approve = false;
  std::optional<std::string> otp;
};

// The payment after an answer, and what was wrong with the answer when the
// step is still pending (INCORRECT_OTP).
struct AuthenticationResult {
  Payment payment;
  std::optional<std::string> error_code;
  std::optional<std::string> error_description;
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

  // The payment with its authentication step, for the hosted page:
  // NOT_FOUND unless token is the one in the page's URL.
  boost::asio::awaitable<Result<Payment>> authentication(std::string_view id,
                                                         std::string_view token);
  // The shopper's answer to a pending step (payments_authentication.cpp):
  // approved, the payment's job goes on at once; rejected, a third wrong OTP
  // or past its time, the payment is FAILED (PAYMENT_CANCELLED,
  // AUTHENTICATION_FAILED, PAYMENT_TIMED_OUT) with its payment.failed event.
  boost::asio::awaitable<Result<AuthenticationResult>> authenticate(std::string_view id,
                                                                    std::string_view token,
                                                                    AuthenticationAnswer answer);

  // The payment.process job: CREATED -> PROCESSING, then (after the simulated
  // delay, as a continuation of the job, holding no thread) SUCCESS or FAILED.
  // A payment waiting for its shopper's authentication keeps its job waiting
  // (a continuation again) until the step is answered or expires.
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

// p (not final) -> FAILED with code and description, and its payment.failed
// event, in the caller's transaction: the settlements that are not the
// acquirer's answer (timeouts, the shopper's authentication).
Status fail_payment(store::Connection& c, const EventFormats& formats, Payment& p,
                    std::string_view code, std::string_view description, Micros now);
// A pending authentication step past its time: expired, and the payment
// FAILED (PAYMENT_TIMED_OUT), in the caller's transaction.
Status expire_authentication(store::Connection& c, const EventFormats& formats, Payment& p,
                             Micros now);

}  // namespace paygate
