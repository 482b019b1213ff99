// /v1/payments: Razorpay's payments over PaymentService and RefundService.
// Payments are made by the checkout (/v1/checkout.js); this is what a
// merchant's server does with them.
#include "api/body.h"
#include "api/idempotent.h"
#include "api/paging.h"
#include "api/razorpay/auth.h"
#include "api/razorpay/input.h"
#include "api/razorpay/refund_input.h"
#include "api/razorpay/render.h"
#include "api/razorpay/routes.h"

namespace paygate::api::razorpay {

namespace asio = boost::asio;
using http::Reply;
using http::Request;

namespace {

struct CaptureInput {
  std::int64_t amount = 0;
  std::optional<std::string> currency;
};

Result<CaptureInput> parse_capture(std::string_view text) {
  auto body = parse_json_object(text);
  if (!body) return fail(std::move(body.error()));
  CaptureInput in;
  auto amount = required_int(*body, "amount");
  if (!amount) return fail(std::move(amount.error()));
  in.amount = *amount;
  auto currency = optional_string(*body, "currency");
  if (!currency) return fail(std::move(currency.error()));
  in.currency = std::move(*currency);
  return in;
}

// Razorpay's rules for a capture, beyond paygate's own (which captures a
// payment still being processed the moment it succeeds): the payment must be
// authorized already, and the amount and currency must be the authorized ones.
Status check_capture(const Payment& p, const CaptureInput& in) {
  if (p.captured) return fail(Error::bad_request("This payment has already been captured"));
  if (payment_status(p) != "authorized") {
    return fail(Error::bad_request(
        "Only payments which have been authorized and not yet captured can be captured"));
  }
  if (in.amount != p.amount) {
    return fail(
        Error::bad_request("Capture amount must be equal to the amount authorized", "amount"));
  }
  if (in.currency && *in.currency != p.currency) {
    return fail(Error::bad_request("Currency should be same as that of the payment: " + p.currency,
                                   "currency"));
  }
  return {};
}

asio::awaitable<Result<Reply>> get_payment(const Services& s, const Request& req) {
  auto merchant = co_await authenticate(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  auto payment = co_await s.payments.get(*merchant, req.param(0));
  if (!payment) co_return fail(std::move(payment.error()));
  co_return entity_reply(*payment, write_payment);
}

asio::awaitable<Result<Reply>> list_payments(const Services& s, const Request& req) {
  auto merchant = co_await authenticate(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  auto window = parse_page_window(req);
  if (!window) co_return fail(std::move(window.error()));
  PaymentPage page;
  page.window = *window;
  auto payments = co_await s.payments.list(*merchant, std::move(page));
  if (!payments) co_return fail(std::move(payments.error()));
  co_return collection_reply(*payments, write_payment);
}

asio::awaitable<Result<Reply>> capture_payment(const Services& s, const Request& req) {
  auto merchant = co_await authenticate(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  co_return co_await idempotent<Payment>(
      s, req, merchant->id,
      [&](const TxnHook<Payment>& hook) -> asio::awaitable<Result<Payment>> {
        auto input = parse_capture(req.body);
        if (!input) co_return fail(std::move(input.error()));
        co_return co_await s.payments.capture(
            *merchant, req.param(0), hook,
            [&input](const Payment& p) { return check_capture(p, *input); });
      },
      [](const Payment& p) { return entity_reply(p, write_payment); });
}

asio::awaitable<Result<Reply>> edit_payment(const Services& s, const Request& req) {
  auto merchant = co_await authenticate(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  auto notes = notes_update(req.body);
  if (!notes) co_return fail(std::move(notes.error()));
  auto payment = co_await s.payments.update_notes(*merchant, req.param(0), *notes);
  if (!payment) co_return fail(std::move(payment.error()));
  co_return entity_reply(*payment, write_payment);
}

asio::awaitable<Result<Reply>> refund_payment(const Services& s, const Request& req) {
  auto merchant = co_await authenticate(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  co_return co_await idempotent<Refund>(
      s, req, merchant->id,
      [&](const TxnHook<Refund>& hook) -> asio::awaitable<Result<Refund>> {
        auto input = parse_new_refund(req.body, req.param(0));
        if (!input) co_return fail(std::move(input.error()));
        co_return co_await s.refunds.create(*merchant, std::move(*input), hook);
      },
      [](const Refund& r) { return entity_reply(r, write_refund_entity); });
}

asio::awaitable<Result<Reply>> payment_refunds(const Services& s, const Request& req) {
  auto merchant = co_await authenticate(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  // An unknown payment is an error, not an empty list.
  auto payment = co_await s.payments.get(*merchant, req.param(0));
  if (!payment) co_return fail(std::move(payment.error()));
  auto window = parse_page_window(req);
  if (!window) co_return fail(std::move(window.error()));
  RefundPage page;
  page.window = *window;
  page.payment_id = payment->id;
  auto refunds = co_await s.refunds.list(*merchant, std::move(page));
  if (!refunds) co_return fail(std::move(refunds.error()));
  co_return collection_reply(*refunds, write_refund_entity);
}

asio::awaitable<Result<Reply>> payment_refund(const Services& s, const Request& req) {
  auto merchant = co_await authenticate(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  auto refund = co_await s.refunds.get(*merchant, paygate_refund_id(req.param(1)));
  if (!refund) co_return fail(std::move(refund.error()));
  // Another payment's refund is not this payment's: as unknown as any other id.
  if (refund->payment_id != req.param(0)) {
    co_return fail(Error::not_found("no refund " + std::string(req.param(1).substr(0, 64)) +
                                    " of payment " + std::string(req.param(0).substr(0, 64))));
  }
  co_return entity_reply(*refund, write_refund_entity);
}

}  // namespace

void add_payment_routes(http::Router& router, const Services& s) {
  using http::Method;
  const Services* sp = &s;
  router.add(Method::get, "/v1/payments", [sp](const Request& r) { return list_payments(*sp, r); });
  router.add(Method::get, "/v1/payments/{id}",
             [sp](const Request& r) { return get_payment(*sp, r); });
  router.add(Method::patch, "/v1/payments/{id}",
             [sp](const Request& r) { return edit_payment(*sp, r); });
  router.add(Method::post, "/v1/payments/{id}/capture",
             [sp](const Request& r) { return capture_payment(*sp, r); });
  router.add(Method::post, "/v1/payments/{id}/refund",
             [sp](const Request& r) { return refund_payment(*sp, r); });
  router.add(Method::get, "/v1/payments/{id}/refunds",
             [sp](const Request& r) { return payment_refunds(*sp, r); });
  router.add(Method::get, "/v1/payments/{id}/refunds/{refund_id}",
             [sp](const Request& r) { return payment_refund(*sp, r); });
}

}  // namespace paygate::api::razorpay
