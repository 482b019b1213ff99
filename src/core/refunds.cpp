#include "core/refunds.h"

#include <boost/json/serialize.hpp>

#include "core/events.h"
#include "core/ids.h"
#include "core/order_rules.h"
#include "core/payment.h"
#include "core/render.h"
#include "store/async.h"
#include "store/job_repository.h"
#include "store/payment_repository.h"
#include "store/refund_repository.h"

namespace paygate {

namespace asio = boost::asio;

namespace {

Error refund_not_found(std::string_view id) {
  return Error::not_found("no refund with id " + std::string(id.substr(0, 64)));
}

Error lease_lost() {
  return Error::internal("the job's lease was lost to another worker");
}

// Characters of a UTF-8 string (the JSON parser has checked it is UTF-8):
// the bytes that do not continue a multi-byte sequence.
std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

Status validate_new_refund(const NewRefund& in) {
  if (in.payment_id.empty()) {
    return fail(Error::bad_request("payment_id is required", "payment_id"));
  }
  if (in.amount && *in.amount <= 0) {
    return fail(Error::bad_request("amount must be a positive integer", "amount"));
  }
  if (in.reason && utf8_length(*in.reason) > kMaxRefundReasonLength) {
    return fail(Error::bad_request("reason must be at most 255 characters", "reason"));
  }
  return validate_notes(in.notes);
}

// PENDING -> PROCESSED or FAILED, with its event, in the caller's
// transaction; the one place a refund is settled, by its job or by the
// janitor. A FAILED refund no longer counts in refunds_committed, so its
// amount is free to refund again; only a PROCESSED one adds to the payment's
// amount_refunded.
Status settle(store::Connection& c, const EventFormats& formats, Refund& r,
              const ProcessorOutcome& outcome, Micros now) {
  r.status = std::string(outcome.success ? kRefundProcessed : kRefundFailed);
  if (!outcome.success) {
    r.error_code = outcome.error_code;
    r.error_description = outcome.error_description;
  }
  r.updated_at = now;
  if (auto s = store::update_refund(c, r, kRefundPending); !s) return s;
  if (outcome.success) {
    if (auto s = store::add_amount_refunded(c, r.payment_id, r.amount, now); !s) return s;
  }
  const auto type = outcome.success ? kEventRefundProcessed : kEventRefundFailed;
  return emit_event(c, formats, DomainEvent::of_refund(c, type, r, now));
}

}  // namespace

asio::awaitable<Result<Refund>> RefundService::create(const Merchant& merchant, NewRefund input,
                                                      const TxnHook<Refund>& hook) {
  if (auto s = validate_new_refund(input); !s) co_return fail(std::move(s.error()));
  const Micros now = now_micros();
  Refund refund;
  refund.id = new_id(kRefundPrefix);
  refund.payment_id = input.payment_id;
  refund.merchant_id = merchant.id;
  refund.status = std::string(kRefundPending);
  refund.reason = std::move(input.reason);
  refund.notes_json = boost::json::serialize(input.notes);
  refund.created_at = refund.updated_at = now;
  const Job job{new_id("job_"),
                std::string(kQueueRefunds),
                std::string(kJobProcessRefund),
                refund.id,
                0,
                5,
                now};

  auto stored = co_await store::write(db_, [&](store::Connection& c) -> Status {
    if (auto s = store::lock_payment(c, refund.payment_id); !s) return s;
    auto found = store::find_payment(c, merchant.id, refund.payment_id);
    if (!found) return fail(found.error());
    if (!*found) {
      return fail(Error::not_found("no payment with id " + refund.payment_id.substr(0, 64)));
    }
    const Payment& p = **found;
    if (p.status != kPaymentSuccess || !p.captured) {
      return fail(
          Error::bad_request("only a captured, successful payment can be refunded", "payment_id"));
    }
    // Decided inside the write transaction, under the payment's lock: what
    // the refunds not FAILED already claim is exact, whatever runs beside us.
    auto committed = store::refunds_committed(c, p.id);
    if (!committed) return fail(committed.error());
    const std::int64_t left = p.amount - *committed;
    if (left <= 0) return fail(Error::bad_request("the payment is fully refunded", "amount"));
    refund.amount = input.amount.value_or(left);
    refund.currency = p.currency;
    if (refund.amount > left) {
      return fail(Error::bad_request(
          "amount exceeds what is left to refund: " + std::to_string(left), "amount"));
    }
    if (auto s = store::insert_refund(c, refund); !s) return s;
    if (auto s = store::insert_job(c, job); !s) return s;
    auto created = DomainEvent::of_refund(c, kEventRefundCreated, refund, now);
    if (auto s = emit_event(c, formats_, created.with_payment(p)); !s) return s;
    return run_hook(hook, c, refund);
  });
  if (!stored) co_return fail(std::move(stored.error()));
  if (on_job_enqueued_) on_job_enqueued_();
  co_return refund;
}

asio::awaitable<Result<Refund>> RefundService::get(const Merchant& merchant, std::string_view id) {
  auto found = co_await store::read(
      db_, [&](store::Connection& c) { return store::find_refund(c, merchant.id, id); });
  if (!found) co_return fail(std::move(found.error()));
  if (!*found) co_return fail(refund_not_found(id));
  co_return std::move(**found);
}

asio::awaitable<Result<Refund>> RefundService::update_notes(const Merchant& merchant,
                                                            std::string_view id,
                                                            const boost::json::object& notes) {
  if (auto s = validate_notes(notes); !s) co_return fail(std::move(s.error()));
  std::optional<Refund> updated;
  auto r = co_await store::write(db_, [&](store::Connection& c) -> Status {
    auto found = store::find_refund(c, merchant.id, id);
    if (!found) return fail(found.error());
    if (!*found) return fail(refund_not_found(id));
    Refund& refund = **found;
    refund.notes_json = boost::json::serialize(notes);
    refund.updated_at = now_micros();
    if (auto s = store::update_refund(c, refund, refund.status); !s) return s;
    updated = std::move(refund);
    return {};
  });
  if (!r) co_return fail(std::move(r.error()));
  co_return std::move(*updated);
}

asio::awaitable<Result<std::vector<Refund>>> RefundService::list(const Merchant& merchant,
                                                                 RefundPage page) {
  if (auto s = validate_page_window(page.window); !s) co_return fail(std::move(s.error()));
  co_return co_await store::read(
      db_, [&](store::Connection& c) { return store::list_refunds(c, merchant.id, page); });
}

asio::awaitable<Status> RefundService::process(const Job& job) {
  co_return co_await store::write(db_, [&](store::Connection& c) -> Status {
    const Micros now = now_micros();
    auto found = store::find_refund_any(c, job.subject_id);
    if (!found) return fail(found.error());
    if (*found && (*found)->status == kRefundPending) {
      Refund& r = **found;
      auto payment = store::find_payment_any(c, r.payment_id);
      if (!payment) return fail(payment.error());
      if (!*payment) return fail(Error::internal("refund " + r.id + " has no payment"));
      if (!r.processing_started_at) {
        r.processing_started_at = now;
        r.updated_at = now;
        if (auto s = store::update_refund(c, r, r.status); !s) return s;
        // Some test instruments' refunds stay PENDING longer (processor.h).
        const Micros delay =
            processor_.refund_delay(**payment).value_or(settings_.processing_delay);
        if (delay > 0) {
          auto moved = store::continue_job_at(c, job, now + delay, now);
          if (!moved) return fail(moved.error());
          return *moved ? Status{} : fail(lease_lost());
        }
      }
      if (auto s = settle(c, formats_, r, processor_.refund(**payment), now); !s) return s;
    }
    auto done = store::complete_job(c, job, now);
    if (!done) return fail(done.error());
    return *done ? Status{} : fail(lease_lost());
  });
}

asio::awaitable<Status> RefundService::reconcile() {
  co_return co_await store::write(db_, [&](store::Connection& c) -> Status {
    const Micros now = now_micros();
    auto stale = store::find_stale_refunds(c, now - settings_.timeout, 500);
    if (!stale) return fail(stale.error());
    const ProcessorOutcome timed_out{false, "REFUND_TIMEOUT", "the refund was not settled in time"};
    // Each update checks the version read: when another worker settled the
    // refund first, the transaction runs again and no longer finds it.
    for (Refund& r : *stale) {
      if (auto s = settle(c, formats_, r, timed_out, now); !s) return s;
    }
    return {};
  });
}

}  // namespace paygate
