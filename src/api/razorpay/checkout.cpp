// Razorpay Checkout, as far as a merchant's page sees it: /v1/checkout.js
// (window.Razorpay, over paygate's hosted checkout) and the result of a
// checkout payment, which that script reads to call the page's handler with
// razorpay_signature, or its payment.failed handlers with Razorpay's error.
#include "api/auth.h"
#include "api/razorpay/render.h"
#include "api/razorpay/routes.h"
#include "api/web.h"
#include "core/json_writer.h"

namespace paygate::api::razorpay {

namespace {

namespace asio = boost::asio;
using http::Reply;
using http::Request;

// A failed payment's error as Razorpay's checkout gives it to payment.failed:
// the payment entity's error fields (payment_failure, so the two never
// disagree), and the ids as metadata.
void write_failure(JsonWriter& w, const Payment& p) {
  const PaymentFailure failure = payment_failure(p);
  w.key("error").begin_object();
  w.field("code", failure.code);
  w.field("description", p.error_description ? std::string_view(*p.error_description) : "NA");
  w.field("source", failure.source);
  w.field("step", failure.step);
  w.field("reason", failure.reason);
  w.key("metadata").begin_object();
  w.field("order_id", std::string_view(p.order_id));
  w.field("payment_id", std::string_view(p.id));
  w.end_object();
  w.end_object();
}

// GET /v1/checkout/payments/{id}?key_id=…: the payment's status, Razorpay's
// name for it; a successful one with razorpay_signature, a failed one with
// its error. Asked with the publishable key (the page's `key`), as the
// hosted checkout asks for the payment: the signature proves to the
// merchant's server only what the payment itself shows, that it succeeded.
asio::awaitable<Result<Reply>> checkout_result(const Services& s, const Request& req) {
  auto merchant = co_await resolve_public_merchant(s, req, nullptr);
  if (!merchant) co_return fail(std::move(merchant.error()));
  auto payment = co_await s.payments.get(*merchant, req.param(0));
  if (!payment) co_return fail(std::move(payment.error()));
  const Payment& p = *payment;

  JsonWriter w(320);
  w.begin_object();
  w.field("razorpay_payment_id", std::string_view(p.id));
  w.field("razorpay_order_id", std::string_view(p.order_id));
  if (p.status == kPaymentSuccess) {
    auto signature = co_await s.merchants.checkout_signature(merchant->id, p.order_id, p.id);
    if (!signature) co_return fail(std::move(signature.error()));
    w.field("razorpay_signature", std::string_view(*signature));
  }
  w.field("status", payment_status(p));
  if (p.status == kPaymentFailed) write_failure(w, p);
  w.end_object();
  co_return Reply{200, w.take(), "application/json", {{"Cache-Control", "no-store"}}};
}

}  // namespace

void add_checkout_routes(http::Router& router, const Services& s) {
  // The script merchants' pages load with <script src>: no CORS, and no API
  // rate limit (see audience_of).
  add_page(router, "/v1/checkout.js", "/razorpay/checkout.js");
  router.add(http::Method::get, "/v1/checkout/payments/{id}",
             [&s](const Request& r) { return checkout_result(s, r); });
}

}  // namespace paygate::api::razorpay
