// SQL for orders.
#pragma once

#include <optional>
#include <vector>

#include "core/order.h"
#include "store/database.h"

namespace paygate::store {

Status insert_order(Connection& conn, const Order& o);
// The merchant's order with this id; nothing when it is another merchant's.
Result<std::optional<Order>> find_order(Connection& conn, std::string_view merchant_id,
                                        std::string_view id);
// Any merchant's order, for the public (checkout) endpoints.
Result<std::optional<PublicOrder>> find_order_public(Connection& conn, std::string_view id);
// Newest first.
Result<std::vector<Order>> list_orders(Connection& conn, std::string_view merchant_id,
                                       const OrderPage& page);

}  // namespace paygate::store

namespace paygate::store {

// One more attempt (a payment was made); created -> attempted, no change in any other status.
Status mark_order_attempted(Connection& conn, std::string_view order_id, Micros now);
// The order's notes and updated_at, as o has them.
Status update_order_notes(Connection& conn, const Order& o);
Status mark_order_paid(Connection& conn, std::string_view order_id, Micros now);

}  // namespace paygate::store
