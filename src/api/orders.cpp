#include "api/orders.h"

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

Result<NewOrder> parse_new_order(const boost::json::object& body) {
  NewOrder order;
  auto amount = required_int(body, "amount");
  if (!amount) return fail(amount.error());
  order.amount = *amount;
  auto currency = optional_string(body, "currency");
  if (!currency) return fail(currency.error());
  if (*currency) order.currency = std::move(**currency);
  auto receipt = optional_string(body, "receipt");
  if (!receipt) return fail(receipt.error());
  order.receipt = std::move(*receipt);
  auto notes = optional_object(body, "notes");
  if (!notes) return fail(notes.error());
  if (*notes) order.notes = std::move(**notes);
  return order;
}

Reply order_reply(int status, const Order& o) {
  JsonWriter w;
  write_order(w, o);
  return Reply{status, w.take(), "application/json", {}};
}

Reply public_order_reply(const PublicOrder& p) {
  const Order& o = p.order;
  JsonWriter w(320);
  w.begin_object();
  w.field("id", std::string_view(o.id));
  w.field("merchant_id", std::string_view(o.merchant_id));
  w.field("merchant_name", std::string_view(p.merchant_name));
  w.field("amount", o.amount);
  w.field("currency", std::string_view(o.currency));
  w.field("status", std::string_view(o.status));
  w.key("created_at").timestamp(o.created_at);
  w.key("updated_at").timestamp(o.updated_at);
  w.end_object();
  return Reply{200, w.take(), "application/json", {}};
}

// Parses the order in body and creates it for merchant.
asio::awaitable<Result<Order>> create_from(const Services& s, const Merchant& merchant,
                                           const Result<boost::json::object>& body,
                                           const TxnHook<Order>& hook) {
  if (!body) co_return fail(body.error());
  auto input = parse_new_order(*body);
  if (!input) co_return fail(std::move(input.error()));
  co_return co_await s.orders.create(merchant, std::move(*input), hook);
}

asio::awaitable<Result<Reply>> create_order(const Services& s, const Request& req) {
  auto merchant = co_await authenticate_merchant(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  const auto body = parse_json_object(req.body);
  co_return co_await idempotent<Order>(
      s, req, merchant->id,
      [&](const TxnHook<Order>& hook) { return create_from(s, *merchant, body, hook); },
      [](const Order& o) { return order_reply(201, o); });
}

asio::awaitable<Result<Reply>> get_order(const Services& s, const Request& req) {
  auto merchant = co_await authenticate_merchant(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  auto order = co_await s.orders.get(*merchant, req.param(0));
  if (!order) co_return fail(std::move(order.error()));
  co_return order_reply(200, *order);
}

asio::awaitable<Result<Reply>> list_orders(const Services& s, const Request& req) {
  auto merchant = co_await authenticate_merchant(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  auto page = parse_page_window(req);
  if (!page) co_return fail(std::move(page.error()));
  OrderPage order_page;
  static_cast<PageWindow&>(order_page) = *page;
  auto orders = co_await s.orders.list(*merchant, std::move(order_page));
  if (!orders) co_return fail(std::move(orders.error()));
  JsonWriter w(256 + orders->size() * 320);
  w.begin_object();
  w.field("entity", "collection");
  w.field("count", static_cast<std::int64_t>(orders->size()));
  w.key("items").begin_array();
  for (const auto& o : *orders) write_order(w, o);
  w.end_array().end_object();
  co_return Reply{200, w.take(), "application/json", {}};
}

asio::awaitable<Result<Reply>> create_public_order(const Services& s, const Request& req) {
  const auto body = parse_json_object(req.body);
  if (!body) co_return fail(body.error());
  auto merchant = co_await resolve_public_merchant(s, req, &*body);
  if (!merchant) co_return fail(std::move(merchant.error()));
  co_return co_await idempotent<Order>(
      s, req, merchant->id,
      [&](const TxnHook<Order>& hook) { return create_from(s, *merchant, body, hook); },
      [](const Order& o) { return order_reply(201, o); });
}

asio::awaitable<Result<Reply>> get_public_order(const Services& s, const Request& req) {
  auto order = co_await s.orders.get_public(req.param(0));
  if (!order) co_return fail(std::move(order.error()));
  co_return public_order_reply(*order);
}

}  // namespace

void add_order_routes(http::Router& router, const Services& s) {
  using http::Method;
  const Services* sp = &s;
  router.add(Method::post, "/api/v1/orders",
             [sp](const Request& r) { return create_order(*sp, r); });
  router.add(Method::get, "/api/v1/orders", [sp](const Request& r) { return list_orders(*sp, r); });
  router.add(Method::get, "/api/v1/orders/{id}",
             [sp](const Request& r) { return get_order(*sp, r); });
  router.add(Method::post, "/api/v1/orders/public",
             [sp](const Request& r) { return create_public_order(*sp, r); });
  router.add(Method::get, "/api/v1/orders/public/{id}",
             [sp](const Request& r) { return get_public_order(*sp, r); });
}

// For the fuzz targets (api/parsers.h).
namespace parsers {
Result<NewOrder> new_order(const boost::json::object& body) {
  return parse_new_order(body);
}
}  // namespace parsers

}  // namespace paygate::api
