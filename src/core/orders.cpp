#include "core/orders.h"

#include <boost/json/serialize.hpp>

#include "core/ids.h"
#include "core/order_rules.h"
#include "store/async.h"
#include "store/order_repository.h"

namespace paygate {

namespace {

Error order_not_found(std::string_view id) {
  return Error::not_found("no order with id " + std::string(id.substr(0, 64)));
}

}  // namespace

boost::asio::awaitable<Result<Order>> OrderService::create(const Merchant& merchant, NewOrder input,
                                                           const TxnHook<Order>& hook) {
  if (auto s = validate_new_order(input); !s) co_return fail(std::move(s.error()));
  Order order;
  order.id = new_id(kOrderPrefix);
  order.merchant_id = merchant.id;
  order.amount = input.amount;
  order.currency = std::move(input.currency);
  order.status = std::string(kOrderCreated);
  order.receipt = std::move(input.receipt);
  order.notes_json = boost::json::serialize(input.notes);
  order.created_at = order.updated_at = now_micros();
  auto r = co_await store::write(db_, [&](store::Connection& c) -> Status {
    if (auto s = store::insert_order(c, order); !s) return s;
    return run_hook(hook, c, order);
  });
  if (!r) co_return fail(std::move(r.error()));
  co_return order;
}

boost::asio::awaitable<Result<Order>> OrderService::get(const Merchant& merchant,
                                                        std::string_view id) {
  auto found = co_await store::read(
      db_, [&](store::Connection& c) { return store::find_order(c, merchant.id, id); });
  if (!found) co_return fail(std::move(found.error()));
  if (!*found) co_return fail(order_not_found(id));
  co_return std::move(**found);
}

boost::asio::awaitable<Result<PublicOrder>> OrderService::get_public(std::string_view id) {
  auto found = co_await store::read(
      db_, [&](store::Connection& c) { return store::find_order_public(c, id); });
  if (!found) co_return fail(std::move(found.error()));
  if (!*found) co_return fail(order_not_found(id));
  co_return std::move(**found);
}

boost::asio::awaitable<Result<std::vector<Order>>> OrderService::list(const Merchant& merchant,
                                                                      OrderPage page) {
  if (auto s = validate_order_page(page); !s) co_return fail(std::move(s.error()));
  co_return co_await store::read(
      db_, [&](store::Connection& c) { return store::list_orders(c, merchant.id, page); });
}

boost::asio::awaitable<Result<Order>> OrderService::update_notes(const Merchant& merchant,
                                                                 std::string_view id,
                                                                 const boost::json::object& notes) {
  if (auto s = validate_notes(notes); !s) co_return fail(std::move(s.error()));
  std::optional<Order> updated;
  auto r = co_await store::write(db_, [&](store::Connection& c) -> Status {
    auto found = store::find_order(c, merchant.id, id);
    if (!found) return fail(found.error());
    if (!*found) return fail(order_not_found(id));
    Order& o = **found;
    o.notes_json = boost::json::serialize(notes);
    o.updated_at = now_micros();
    if (auto s = store::update_order_notes(c, o); !s) return s;
    updated = std::move(o);
    return {};
  });
  if (!r) co_return fail(std::move(r.error()));
  co_return std::move(*updated);
}

}  // namespace paygate
