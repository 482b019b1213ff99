#include "api/refunds.h"

#include "api/auth.h"
#include "api/body.h"
#include "api/idempotent.h"
#include "api/paging.h"
#include "api/parsers.h"

namespace paygate::api {

namespace asio = boost::asio;
using http::Reply;
using http::Request;

namespace {

Result<NewRefund> parse_new_refund(const boost::json::object& body) {
  NewRefund r;
  auto payment_id = optional_string(body, "payment_id");
  if (!payment_id) return fail(payment_id.error());
  if (!*payment_id || (*payment_id)->empty()) {
    return fail(Error::bad_request("payment_id is required", "payment_id"));
  }
  r.payment_id = std::move(**payment_id);
  auto amount = optional_int(body, "amount");
  if (!amount) return fail(amount.error());
  r.amount = *amount;
  auto reason = optional_string(body, "reason");
  if (!reason) return fail(reason.error());
  r.reason = std::move(*reason);
  return r;
}

Reply refund_reply(int status, const Refund& r) {
  JsonWriter w(384);
  write_refund(w, r);
  return Reply{status, w.take(), "application/json", {}};
}

asio::awaitable<Result<Reply>> create_refund(const Services& s, const Request& req) {
  auto merchant = co_await authenticate_merchant(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  co_return co_await idempotent<Refund>(
      s, req, merchant->id,
      [&](const TxnHook<Refund>& hook) -> asio::awaitable<Result<Refund>> {
        auto body = parse_json_object(req.body);
        if (!body) co_return fail(std::move(body.error()));
        auto input = parse_new_refund(*body);
        if (!input) co_return fail(std::move(input.error()));
        co_return co_await s.refunds.create(*merchant, std::move(*input), hook);
      },
      [](const Refund& r) { return refund_reply(201, r); });
}

asio::awaitable<Result<Reply>> get_refund(const Services& s, const Request& req) {
  auto merchant = co_await authenticate_merchant(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  auto refund = co_await s.refunds.get(*merchant, req.param(0));
  if (!refund) co_return fail(std::move(refund.error()));
  co_return refund_reply(200, *refund);
}

asio::awaitable<Result<Reply>> list_refunds(const Services& s, const Request& req) {
  auto merchant = co_await authenticate_merchant(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  auto window = parse_page_window(req);
  if (!window) co_return fail(std::move(window.error()));
  RefundPage page{*window, req.query_param("payment_id").value_or("")};
  auto refunds = co_await s.refunds.list(*merchant, std::move(page));
  if (!refunds) co_return fail(std::move(refunds.error()));
  JsonWriter w(256 + refunds->size() * 384);
  w.begin_object();
  w.field("entity", "collection");
  w.field("count", static_cast<std::int64_t>(refunds->size()));
  w.key("items").begin_array();
  for (const auto& r : *refunds) write_refund(w, r);
  w.end_array().end_object();
  co_return Reply{200, w.take(), "application/json", {}};
}

}  // namespace

void add_refund_routes(http::Router& router, const Services& s) {
  using http::Method;
  const Services* sp = &s;
  router.add(Method::post, "/api/v1/refunds",
             [sp](const Request& r) { return create_refund(*sp, r); });
  router.add(Method::get, "/api/v1/refunds",
             [sp](const Request& r) { return list_refunds(*sp, r); });
  router.add(Method::get, "/api/v1/refunds/{id}",
             [sp](const Request& r) { return get_refund(*sp, r); });
}

// For the fuzz targets (api/parsers.h).
namespace parsers {
Result<NewRefund> new_refund(const boost::json::object& body) {
  return parse_new_refund(body);
}
}  // namespace parsers

}  // namespace paygate::api
