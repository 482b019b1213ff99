// /v1/orders: Razorpay's orders over OrderService.
#include "api/body.h"
#include "api/idempotent.h"
#include "api/paging.h"
#include "api/parsers.h"
#include "api/razorpay/auth.h"
#include "api/razorpay/input.h"
#include "api/razorpay/render.h"
#include "api/razorpay/routes.h"

namespace paygate::api::razorpay {

namespace asio = boost::asio;
using http::Reply;
using http::Request;

namespace {

Result<NewOrder> parse_new_order(std::string_view text) {
  auto body = parse_json_object(text);
  if (!body) return fail(std::move(body.error()));
  // An order is paid by one payment; partial payments would break that rule.
  if (const auto* partial = body->if_contains("partial_payment"); partial != nullptr) {
    if (!partial->is_bool() && !partial->is_null()) {
      return fail(Error::bad_request("partial_payment must be a boolean", "partial_payment"));
    }
    if (partial->is_bool() && partial->get_bool()) {
      return fail(Error::bad_request("partial payments are not supported", "partial_payment"));
    }
    body->erase("partial_payment");
  }
  auto notes = notes_of(*body);
  if (!notes) return fail(std::move(notes.error()));
  (*body)["notes"] = std::move(*notes);
  return parsers::new_order(*body);
}

// authorized: 1/true (orders with a successful payment), 0/false (without).
Result<std::optional<bool>> parse_authorized(const Request& req) {
  const auto text = req.query_param("authorized");
  if (!text || text->empty()) return std::nullopt;
  if (*text == "1" || *text == "true") return true;
  if (*text == "0" || *text == "false") return false;
  return fail(Error::bad_request("authorized must be 1 or 0", "authorized"));
}

asio::awaitable<Result<Reply>> create_order(const Services& s, const Request& req) {
  auto merchant = co_await authenticate(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  co_return co_await idempotent<Order>(
      s, req, merchant->id,
      [&](const TxnHook<Order>& hook) -> asio::awaitable<Result<Order>> {
        auto input = parse_new_order(req.body);
        if (!input) co_return fail(std::move(input.error()));
        co_return co_await s.orders.create(*merchant, std::move(*input), hook);
      },
      [](const Order& o) { return entity_reply(o, write_order); });
}

asio::awaitable<Result<Reply>> get_order(const Services& s, const Request& req) {
  auto merchant = co_await authenticate(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  auto order = co_await s.orders.get(*merchant, req.param(0));
  if (!order) co_return fail(std::move(order.error()));
  co_return entity_reply(*order, write_order);
}

asio::awaitable<Result<Reply>> list_orders(const Services& s, const Request& req) {
  auto merchant = co_await authenticate(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  auto window = parse_page_window(req);
  if (!window) co_return fail(std::move(window.error()));
  auto authorized = parse_authorized(req);
  if (!authorized) co_return fail(std::move(authorized.error()));
  OrderPage page;
  static_cast<PageWindow&>(page) = *window;
  page.receipt = req.query_param("receipt").value_or("");
  page.authorized = *authorized;
  auto orders = co_await s.orders.list(*merchant, std::move(page));
  if (!orders) co_return fail(std::move(orders.error()));
  co_return collection_reply(*orders, write_order);
}

asio::awaitable<Result<Reply>> edit_order(const Services& s, const Request& req) {
  auto merchant = co_await authenticate(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  auto notes = notes_update(req.body);
  if (!notes) co_return fail(std::move(notes.error()));
  auto order = co_await s.orders.update_notes(*merchant, req.param(0), *notes);
  if (!order) co_return fail(std::move(order.error()));
  co_return entity_reply(*order, write_order);
}

asio::awaitable<Result<Reply>> order_payments(const Services& s, const Request& req) {
  auto merchant = co_await authenticate(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  // An unknown order is an error, not an empty list.
  auto order = co_await s.orders.get(*merchant, req.param(0));
  if (!order) co_return fail(std::move(order.error()));
  PaymentPage page;
  page.window.count = kMaxPageCount;
  page.order_id = order->id;
  auto payments = co_await s.payments.list(*merchant, std::move(page));
  if (!payments) co_return fail(std::move(payments.error()));
  co_return collection_reply(*payments, write_payment);
}

}  // namespace

void add_order_routes(http::Router& router, const Services& s) {
  using http::Method;
  const Services* sp = &s;
  router.add(Method::post, "/v1/orders", [sp](const Request& r) { return create_order(*sp, r); });
  router.add(Method::get, "/v1/orders", [sp](const Request& r) { return list_orders(*sp, r); });
  router.add(Method::get, "/v1/orders/{id}", [sp](const Request& r) { return get_order(*sp, r); });
  router.add(Method::patch, "/v1/orders/{id}",
             [sp](const Request& r) { return edit_order(*sp, r); });
  router.add(Method::get, "/v1/orders/{id}/payments",
             [sp](const Request& r) { return order_payments(*sp, r); });
}

}  // namespace paygate::api::razorpay
