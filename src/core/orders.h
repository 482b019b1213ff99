// Orders: the use cases, each one transaction.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <vector>

#include "core/error.h"
#include "core/merchant.h"
#include "core/order.h"
#include "core/txn_hook.h"
#include "store/database.h"

namespace paygate {

class OrderService {
 public:
  explicit OrderService(store::Database& db) : db_(db) {}

  // hook runs inside the transaction that stores the order.
  boost::asio::awaitable<Result<Order>> create(const Merchant& merchant, NewOrder input,
                                               const TxnHook<Order>& hook = {});
  // The merchant's own order; NOT_FOUND_ERROR for an unknown or foreign id.
  boost::asio::awaitable<Result<Order>> get(const Merchant& merchant, std::string_view id);
  // Any merchant's order, as the checkout sees it.
  boost::asio::awaitable<Result<PublicOrder>> get_public(std::string_view id);
  boost::asio::awaitable<Result<std::vector<Order>>> list(const Merchant& merchant, OrderPage page);
  // Replaces the order's notes (the only field an order lets change).
  boost::asio::awaitable<Result<Order>> update_notes(const Merchant& merchant, std::string_view id,
                                                     const boost::json::object& notes);

 private:
  store::Database& db_;
};

}  // namespace paygate
