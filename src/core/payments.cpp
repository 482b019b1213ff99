#include "core/payments.h"

#include <openssl/crypto.h>

#include <array>
#include <boost/json/serialize.hpp>

#include "core/crypto.h"
#include "core/events.h"
#include "core/ids.h"
#include "core/order_rules.h"
#include "core/render.h"
#include "core/sandbox_outcome.h"
#include "store/async.h"
#include "store/job_repository.h"
#include "store/order_repository.h"
#include "store/payment_repository.h"
#include "store/refund_repository.h"

namespace paygate {

namespace asio = boost::asio;

namespace {

Error payment_not_found(std::string_view id) {
  return Error::not_found("no payment with id " + std::string(id.substr(0, 64)));
}

Error lease_lost() {
  return Error::internal("the job's lease was lost to another worker");
}

// The job that processes payment_id, due at run_at.
Job payment_job(const std::string& payment_id, Micros run_at) {
  return Job{new_id("job_"),
             std::string(kQueuePayments),
             std::string(kJobProcessPayment),
             payment_id,
             0,
             5,
             run_at};
}

// The script of X-Paygate-Test-Outcome stored with p, if any.
std::optional<TestOutcome> script_of(const Payment& p) {
  if (!p.test_outcome) return std::nullopt;
  auto t = parse_test_outcome(*p.test_outcome);
  if (!t) return std::nullopt;  // stored canonical by create(): cannot happen
  return std::move(*t);
}

// When the acquirer answers p: the script's timing over the instrument's.
ProcessorTiming timing_of(const Processor& processor, const Payment& p) {
  const ProcessorTiming instrument = processor.timing(p);
  const auto script = script_of(p);
  return script ? scripted_timing(*script, instrument) : instrument;
}

// The hosted authentication page of payment id, with a token of its own: the
// payment id alone (which the public status endpoint takes) cannot answer it.
std::string authentication_url(std::string_view base, std::string_view id) {
  std::array<std::uint8_t, 16> token{};
  random_bytes(token);
  return std::string(base) + "/authenticate/" + std::string(id) + "?token=" + hex_encode(token);
}

// Fills the instrument fields of p from the request; the card number and CVV
// go no further than this function.
Status take_instrument(Payment& p, NewPayment& in, std::string_view fingerprint_key) {
  if (in.method == kMethodUpi) {
    if (!in.vpa) return fail(Error::bad_request("vpa is required for method upi", "vpa"));
    if (auto s = validate_vpa(*in.vpa); !s) return s;
    p.vpa = std::move(in.vpa);
    return {};
  }
  if (in.method == kMethodCard) {
    if (!in.card) return fail(Error::bad_request("card is required for method card", "card"));
    auto card = validate_card(*in.card, current_year_month());
    OPENSSL_cleanse(in.card->number.data(), in.card->number.size());
    OPENSSL_cleanse(in.card->cvv.data(), in.card->cvv.size());
    in.card.reset();
    if (!card) return fail(std::move(card.error()));
    p.card_network = card->network;
    p.card_last4 = card->last4;
    p.card_expiry_month = card->expiry_month;
    p.card_expiry_year = card->expiry_year;
    p.card_fingerprint = card_fingerprint(fingerprint_key, card->digits);
    OPENSSL_cleanse(card->digits.data(), card->digits.size());
    return {};
  }
  return fail(Error::bad_request("method must be card or upi", "method"));
}

// The event about p, with p as it is now, in the caller's transaction.
Status emit_payment_event(store::Connection& c, const EventFormats& formats, const Payment& p,
                          std::string_view type, Micros now) {
  return emit_event(c, formats, DomainEvent::of_payment(c, type, p, now));
}

// PROCESSING -> SUCCESS or FAILED, as the processor decides; at most one
// success per order. An auto-captured success is two changes, each its own
// version: the success, then the capture, so that payment.captured carries a
// higher version than payment.success and a receiver can order them.
Status settle(store::Connection& c, const Processor& processor, const EventFormats& formats,
              Payment& p, Micros now) {
  const auto script = script_of(p);
  const auto scripted = script ? scripted_outcome(*script) : std::nullopt;
  ProcessorOutcome outcome = scripted ? *scripted : processor.authorize(p);
  if (outcome.success) {
    auto paid = store::order_has_success(c, p.order_id, p.id);
    if (!paid) return fail(paid.error());
    if (*paid) outcome = {false, "ORDER_ALREADY_PAID", "another payment of this order succeeded"};
  }
  const std::string previous_status = p.status;
  p.status = std::string(outcome.success ? kPaymentSuccess : kPaymentFailed);
  if (!outcome.success) {
    p.error_code = std::move(outcome.error_code);
    p.error_description = std::move(outcome.error_description);
  }
  p.finished_at = now;
  p.updated_at = now;
  if (auto s = store::update_payment(c, p, previous_status); !s) return s;
  if (!outcome.success) return emit_payment_event(c, formats, p, kEventPaymentFailed, now);
  if (auto s = store::mark_order_paid(c, p.order_id, now); !s) return s;
  if (auto s = emit_payment_event(c, formats, p, kEventPaymentSuccess, now); !s) return s;
  if (!p.capture_requested) return {};
  p.captured = true;
  if (auto s = store::update_payment(c, p, p.status); !s) return s;
  return emit_payment_event(c, formats, p, kEventPaymentCaptured, now);
}

}  // namespace

Status fail_payment(store::Connection& c, const EventFormats& formats, Payment& p,
                    std::string_view code, std::string_view description, Micros now) {
  const std::string previous_status = p.status;
  p.status = std::string(kPaymentFailed);
  p.error_code = std::string(code);
  p.error_description = std::string(description);
  p.finished_at = now;
  p.updated_at = now;
  if (auto s = store::update_payment(c, p, previous_status); !s) return s;
  return emit_payment_event(c, formats, p, kEventPaymentFailed, now);
}

Status validate_payment_page(const PaymentPage& page) {
  if (auto s = validate_page_window(page.window); !s) return s;
  if (!page.status.empty() && page.status != kPaymentCreated && page.status != kPaymentProcessing &&
      page.status != kPaymentSuccess && page.status != kPaymentFailed) {
    return fail(
        Error::bad_request("status must be CREATED, PROCESSING, SUCCESS or FAILED", "status"));
  }
  if (!page.method.empty() && page.method != kMethodCard && page.method != kMethodUpi) {
    return fail(Error::bad_request("method must be card or upi", "method"));
  }
  return {};
}

asio::awaitable<Result<Payment>> PaymentService::create(const Merchant& merchant, NewPayment input,
                                                        bool auto_capture,
                                                        const TxnHook<Payment>& hook) {
  const Micros now = now_micros();
  Payment p;
  p.id = new_id(kPaymentPrefix);
  p.order_id = input.order_id;
  p.merchant_id = merchant.id;
  p.method = input.method;
  p.status = std::string(kPaymentCreated);
  p.capture_requested = auto_capture;
  p.created_at = p.updated_at = now;
  if (input.test_outcome) {
    auto script = parse_test_outcome(*input.test_outcome);
    if (!script) co_return fail(std::move(script.error()));
    p.test_outcome = script->text();
  }
  if (auto s = take_instrument(p, input, settings_.fingerprint_key); !s) {
    co_return fail(std::move(s.error()));
  }
  // An instrument that asks its shopper first waits for the answer: its job
  // is due when the step expires, and is woken sooner by an answer.
  Micros job_at = now;
  if (processor_.authentication(p) != Authentication::none) {
    p.authentication_status = std::string(kAuthenticationPending);
    p.authentication_url = authentication_url(input.page_base_url, p.id);
    p.authentication_expires_at = now + settings_.authentication_timeout;
    job_at = *p.authentication_expires_at;
  }
  const Job job = payment_job(p.id, job_at);

  auto stored = co_await store::write(db_, [&](store::Connection& c) -> Status {
    auto order = store::find_order(c, merchant.id, p.order_id);
    if (!order) return fail(order.error());
    if (!*order) return fail(Error::not_found("no order with id " + p.order_id.substr(0, 64)));
    const Order& o = **order;
    if (input.amount && *input.amount != o.amount) {
      return fail(Error::bad_request(
          "amount must equal the order's amount, " + std::to_string(o.amount), "amount"));
    }
    if (input.currency && *input.currency != o.currency) {
      return fail(Error::bad_request("currency must equal the order's currency, " + o.currency,
                                     "currency"));
    }
    if (o.status == kOrderPaid) {
      return fail(Error::bad_request("the order is already paid", "order_id"));
    }
    p.amount = o.amount;
    p.currency = o.currency;
    if (auto s = store::insert_payment(c, p); !s) return s;
    if (auto s = store::mark_order_attempted(c, o.id, now); !s) return s;
    if (auto s = store::insert_job(c, job); !s) return s;
    return run_hook(hook, c, p);
  });
  if (!stored) co_return fail(std::move(stored.error()));
  if (on_job_enqueued_) on_job_enqueued_();
  co_return p;
}

asio::awaitable<Result<Payment>> PaymentService::get(const Merchant& merchant,
                                                     std::string_view id) {
  auto found = co_await store::read(
      db_, [&](store::Connection& c) { return store::find_payment(c, merchant.id, id); });
  if (!found) co_return fail(std::move(found.error()));
  if (!*found) co_return fail(payment_not_found(id));
  co_return std::move(**found);
}

asio::awaitable<Result<Payment>> PaymentService::get_public(std::string_view id) {
  auto found = co_await store::read(
      db_, [&](store::Connection& c) { return store::find_payment_any(c, id); });
  if (!found) co_return fail(std::move(found.error()));
  if (!*found) co_return fail(payment_not_found(id));
  co_return std::move(**found);
}

asio::awaitable<Result<std::vector<Payment>>> PaymentService::list(const Merchant& merchant,
                                                                   PaymentPage page) {
  if (auto s = validate_payment_page(page); !s) co_return fail(std::move(s.error()));
  co_return co_await store::read(
      db_, [&](store::Connection& c) { return store::list_payments(c, merchant.id, page); });
}

asio::awaitable<Result<Payment>> PaymentService::capture(
    const Merchant& merchant, std::string_view id, const TxnHook<Payment>& hook,
    const std::function<Status(const Payment&)>& precondition) {
  co_return co_await store::write(db_, [&](store::Connection& c) -> Result<Payment> {
    auto found = store::find_payment(c, merchant.id, id);
    if (!found) return fail(found.error());
    if (!*found) return fail(payment_not_found(id));
    Payment p = std::move(**found);
    if (precondition) {
      if (auto s = precondition(p); !s) return fail(std::move(s.error()));
    }
    if (p.status == kPaymentFailed) {
      return fail(Error::bad_request("a failed payment cannot be captured", "payment_id"));
    }
    // Captured already, or (still being processed) asked to be: nothing changes.
    const bool changes = !p.captured && !(p.status != kPaymentSuccess && p.capture_requested);
    if (changes) {
      if (p.status == kPaymentSuccess) {
        p.captured = true;
      } else {
        // The capture happens the moment processing succeeds.
        p.capture_requested = true;
      }
      p.updated_at = now_micros();
      if (auto s = store::update_payment(c, p, p.status); !s) return fail(s.error());
      if (p.captured) {
        if (auto s = emit_payment_event(c, formats_, p, kEventPaymentCaptured, p.updated_at); !s) {
          return fail(s.error());
        }
      }
    }
    if (auto s = run_hook(hook, c, p); !s) return fail(s.error());
    return p;
  });
}

asio::awaitable<Result<Payment>> PaymentService::update_notes(const Merchant& merchant,
                                                              std::string_view id,
                                                              const boost::json::object& notes) {
  if (auto s = validate_notes(notes); !s) co_return fail(std::move(s.error()));
  std::string notes_json = boost::json::serialize(notes);
  co_return co_await store::write(db_, [&](store::Connection& c) -> Result<Payment> {
    auto found = store::find_payment(c, merchant.id, id);
    if (!found) return fail(found.error());
    if (!*found) return fail(payment_not_found(id));
    Payment p = std::move(**found);
    p.notes_json = notes_json;
    p.updated_at = now_micros();
    if (auto s = store::update_payment(c, p, p.status); !s) return fail(s.error());
    return p;
  });
}

asio::awaitable<Status> PaymentService::process(const Job& job) {
  co_return co_await store::write(db_, [&](store::Connection& c) -> Status {
    const Micros now = now_micros();
    const auto finish = [&]() -> Status {
      auto done = store::complete_job(c, job, now);
      if (!done) return fail(done.error());
      return *done ? Status{} : fail(lease_lost());
    };
    // Runs again at `at`, holding no thread meanwhile.
    const auto continue_at = [&](Micros at) -> Status {
      auto moved = store::continue_job_at(c, job, at, now);
      if (!moved) return fail(moved.error());
      return *moved ? Status{} : fail(lease_lost());
    };
    auto found = store::find_payment_any(c, job.subject_id);
    if (!found) return fail(found.error());
    if (*found && (*found)->awaits_authentication()) {
      // An answer may be committing beside this run (PostgreSQL): wait for
      // it and read again, so that a continuation never overwrites its wake.
      if (auto s = store::lock_payment(c, job.subject_id); !s) return s;
      found = store::find_payment_any(c, job.subject_id);
      if (!found) return fail(found.error());
    }
    if (!*found || is_final_payment_status((*found)->status)) return finish();
    Payment& p = **found;
    const ProcessorTiming timing = timing_of(processor_, p);
    if (p.status == kPaymentCreated) {
      if (p.awaits_authentication()) {
        const Micros expires_at = p.authentication_expires_at.value_or(0);
        if (now < expires_at) return continue_at(expires_at);
        if (auto s = expire_authentication(c, formats_, p, now); !s) return s;
        return finish();
      }
      p.status = std::string(kPaymentProcessing);
      p.processing_started_at = now;
      p.updated_at = now;
      if (auto s = store::update_payment(c, p, kPaymentCreated); !s) return s;
      const Micros delay = timing.delay.value_or(settings_.processing_delay);
      if (timing.answers && delay > 0) return continue_at(now + delay);
    }
    // An acquirer that never answers leaves the payment PROCESSING, for the
    // reconciliation to settle FAILED (PROCESSING_TIMEOUT) in its time.
    if (!timing.answers) return finish();
    if (auto s = settle(c, processor_, formats_, p, now); !s) return s;
    return finish();
  });
}

asio::awaitable<Status> PaymentService::reconcile() {
  bool requeued = false;
  auto done = co_await store::write(db_, [&](store::Connection& c) -> Status {
    requeued = false;  // the transaction may run again
    const Micros now = now_micros();
    const Micros deadline = now - settings_.processing_timeout;
    const auto time_out = [&](Payment& p, std::string_view description) -> Status {
      return fail_payment(c, formats_, p, "PROCESSING_TIMEOUT", description, now);
    };
    auto stuck = store::find_stuck_payments(c, deadline, 500);
    if (!stuck) return fail(stuck.error());
    for (Payment& p : *stuck) {
      if (auto s = time_out(p, "the payment was not settled in time"); !s) return s;
    }
    // Every update checks the version read, so when workers run this side by
    // side (PostgreSQL), the one that loses reruns and no longer finds the
    // payment orphaned: one job back, one settlement.
    auto orphans = store::find_orphaned_payments(c, 500);
    if (!orphans) return fail(orphans.error());
    for (Payment& p : *orphans) {
      if (p.created_at < deadline) {
        if (auto s = time_out(p, "the payment was not processed in time"); !s) return s;
        continue;
      }
      p.updated_at = now;
      if (auto s = store::update_payment(c, p, p.status); !s) return s;
      if (auto s = store::insert_job(c, payment_job(p.id, now)); !s) return s;
      requeued = true;
    }
    return {};
  });
  if (done && requeued && on_job_enqueued_) on_job_enqueued_();
  co_return done;
}

}  // namespace paygate
