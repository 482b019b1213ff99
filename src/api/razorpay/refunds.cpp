// /v1/refunds: Razorpay's refunds over RefundService.
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

Result<NewRefund> parse_new_refund(std::string_view text, std::string_view payment_id) {
  auto body = parse_json_object(text);
  if (!body) return fail(std::move(body.error()));
  NewRefund r;
  if (payment_id.empty()) {
    auto given = optional_string(*body, "payment_id");
    if (!given) return fail(std::move(given.error()));
    if (!*given || (*given)->empty()) {
      return fail(Error::bad_request("The payment id field is required.", "payment_id"));
    }
    r.payment_id = std::move(**given);
  } else {
    r.payment_id = std::string(payment_id);
  }
  auto amount = optional_int(*body, "amount");
  if (!amount) return fail(std::move(amount.error()));
  r.amount = *amount;
  // Every refund is settled at the same speed; "optimum" is accepted as
  // Razorpay accepts it, and answered as normal.
  auto speed = optional_string(*body, "speed");
  if (!speed) return fail(std::move(speed.error()));
  if (*speed && **speed != "normal" && **speed != "optimum") {
    return fail(Error::bad_request("speed must be normal or optimum", "speed"));
  }
  auto receipt = optional_string(*body, "receipt");
  if (!receipt) return fail(std::move(receipt.error()));
  auto notes = notes_of(*body);
  if (!notes) return fail(std::move(notes.error()));
  r.notes = std::move(*notes);
  return r;
}

namespace {

asio::awaitable<Result<Reply>> create_refund(const Services& s, const Request& req) {
  auto merchant = co_await authenticate(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  co_return co_await idempotent<Refund>(
      s, req, merchant->id,
      [&](const TxnHook<Refund>& hook) -> asio::awaitable<Result<Refund>> {
        auto input = parse_new_refund(req.body, "");
        if (!input) co_return fail(std::move(input.error()));
        co_return co_await s.refunds.create(*merchant, std::move(*input), hook);
      },
      [](const Refund& r) { return entity_reply(r, write_refund_entity); });
}

asio::awaitable<Result<Reply>> get_refund(const Services& s, const Request& req) {
  auto merchant = co_await authenticate(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  auto refund = co_await s.refunds.get(*merchant, paygate_refund_id(req.param(0)));
  if (!refund) co_return fail(std::move(refund.error()));
  co_return entity_reply(*refund, write_refund_entity);
}

asio::awaitable<Result<Reply>> list_refunds(const Services& s, const Request& req) {
  auto merchant = co_await authenticate(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  auto window = parse_page_window(req);
  if (!window) co_return fail(std::move(window.error()));
  RefundPage page;
  page.window = *window;
  auto refunds = co_await s.refunds.list(*merchant, std::move(page));
  if (!refunds) co_return fail(std::move(refunds.error()));
  co_return collection_reply(*refunds, write_refund_entity);
}

asio::awaitable<Result<Reply>> edit_refund(const Services& s, const Request& req) {
  auto merchant = co_await authenticate(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  auto notes = notes_update(req.body);
  if (!notes) co_return fail(std::move(notes.error()));
  auto refund = co_await s.refunds.update_notes(*merchant, paygate_refund_id(req.param(0)), *notes);
  if (!refund) co_return fail(std::move(refund.error()));
  co_return entity_reply(*refund, write_refund_entity);
}

}  // namespace

void add_refund_routes(http::Router& router, const Services& s) {
  using http::Method;
  const Services* sp = &s;
  router.add(Method::post, "/v1/refunds", [sp](const Request& r) { return create_refund(*sp, r); });
  router.add(Method::get, "/v1/refunds", [sp](const Request& r) { return list_refunds(*sp, r); });
  router.add(Method::get, "/v1/refunds/{id}",
             [sp](const Request& r) { return get_refund(*sp, r); });
  router.add(Method::patch, "/v1/refunds/{id}",
             [sp](const Request& r) { return edit_refund(*sp, r); });
}

}  // namespace paygate::api::razorpay
