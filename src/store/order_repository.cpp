#include "store/order_repository.h"

namespace paygate::store {

namespace {

#define PAYGATE_ORDER_COLUMNS \
  "id, merchant_id, amount, currency, status, receipt, notes, created_at, updated_at"

constexpr Sql kInsert{"INSERT INTO orders (" PAYGATE_ORDER_COLUMNS
                      ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"};
constexpr Sql kFind{"SELECT " PAYGATE_ORDER_COLUMNS
                    " FROM orders WHERE id = $1 AND merchant_id = $2"};
constexpr Sql kFindPublic{
    "SELECT o.id, o.merchant_id, o.amount, o.currency, o.status, o.receipt, o.notes,"
    " o.created_at, o.updated_at, m.name"
    " FROM orders o JOIN merchants m ON m.id = o.merchant_id WHERE o.id = $1"};
constexpr Sql kList{"SELECT " PAYGATE_ORDER_COLUMNS
                    " FROM orders WHERE merchant_id = $1 AND created_at >= $2 AND created_at <= $3"
                    " ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5"};

#undef PAYGATE_ORDER_COLUMNS

Order from_row(const Row& r) {
  Order o;
  o.id = r.string(0);
  o.merchant_id = r.string(1);
  o.amount = r.int64(2);
  o.currency = r.string(3);
  o.status = r.string(4);
  if (!r.is_null(5)) o.receipt = r.string(5);
  o.notes_json = r.string(6);
  o.created_at = r.int64(7);
  o.updated_at = r.int64(8);
  return o;
}

}  // namespace

Status insert_order(Connection& conn, const Order& o) {
  const Param receipt = o.receipt ? Param(std::string_view(*o.receipt)) : Param(nullptr);
  const Param params[] = {o.id,    o.merchant_id, o.amount,     o.currency,  o.status,
                          receipt, o.notes_json,  o.created_at, o.updated_at};
  return to_status(conn.execute(kInsert, params));
}

Result<std::optional<Order>> find_order(Connection& conn, std::string_view merchant_id,
                                        std::string_view id) {
  const Param params[] = {id, merchant_id};
  return query_one(conn, kFind, params, from_row);
}

Result<std::optional<PublicOrder>> find_order_public(Connection& conn, std::string_view id) {
  const Param params[] = {id};
  return query_one(conn, kFindPublic, params, [](const Row& row) {
    return PublicOrder{from_row(row), row.string(9)};
  });
}

Result<std::vector<Order>> list_orders(Connection& conn, std::string_view merchant_id,
                                       const OrderPage& page) {
  const Param params[] = {merchant_id, page.from, page.to, page.count, page.skip};
  return query_all(conn, kList, params, from_row);
}

}  // namespace paygate::store

namespace paygate::store {

namespace {

constexpr Sql kMarkAttempted{
    "UPDATE orders SET status = 'attempted', updated_at = $2 WHERE id = $1 AND status = 'created'"};
constexpr Sql kMarkPaid{"UPDATE orders SET status = 'paid', updated_at = $2 WHERE id = $1"};

}  // namespace

Status mark_order_attempted(Connection& conn, std::string_view order_id, Micros now) {
  const Param params[] = {order_id, now};
  return to_status(conn.execute(kMarkAttempted, params));
}

Status mark_order_paid(Connection& conn, std::string_view order_id, Micros now) {
  const Param params[] = {order_id, now};
  return to_status(conn.execute(kMarkPaid, params));
}

}  // namespace paygate::store
