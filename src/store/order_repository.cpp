#include "store/order_repository.h"

namespace paygate::store {

namespace {

#define PAYGATE_ORDER_COLUMNS \
  "id, merchant_id, amount, currency, status, receipt, notes, created_at, updated_at, attempts"

constexpr Sql kInsert{"INSERT INTO orders (" PAYGATE_ORDER_COLUMNS
                      ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"};
constexpr Sql kFind{"SELECT " PAYGATE_ORDER_COLUMNS
                    " FROM orders WHERE id = $1 AND merchant_id = $2"};
constexpr Sql kFindPublic{
    "SELECT o.id, o.merchant_id, o.amount, o.currency, o.status, o.receipt, o.notes,"
    " o.created_at, o.updated_at, o.attempts, m.name"
    " FROM orders o JOIN merchants m ON m.id = o.merchant_id WHERE o.id = $1"};
constexpr Sql kList{"SELECT " PAYGATE_ORDER_COLUMNS
                    " FROM orders WHERE merchant_id = $1 AND created_at >= $2 AND created_at <= $3"
                    " AND ($6 = '' OR receipt = $6)"
                    " AND ($7 = 0 OR ($7 = 1 AND status = 'paid') OR ($7 = 2 AND status <> 'paid'))"
                    " ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5"};
constexpr Sql kUpdateNotes{
    "UPDATE orders SET notes = $3, updated_at = $4"
    " WHERE id = $1 AND merchant_id = $2"};

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
  o.attempts = r.int64(9);
  return o;
}

}  // namespace

Status insert_order(Connection& conn, const Order& o) {
  const Param receipt = o.receipt ? Param(std::string_view(*o.receipt)) : Param(nullptr);
  const Param params[] = {o.id,    o.merchant_id, o.amount,     o.currency,   o.status,
                          receipt, o.notes_json,  o.created_at, o.updated_at, o.attempts};
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
    return PublicOrder{from_row(row), row.string(10)};
  });
}

Result<std::vector<Order>> list_orders(Connection& conn, std::string_view merchant_id,
                                       const OrderPage& page) {
  const std::int64_t authorized = !page.authorized ? 0 : *page.authorized ? 1 : 2;
  const Param params[] = {merchant_id, page.from,    page.to,   page.count,
                          page.skip,   page.receipt, authorized};
  return query_all(conn, kList, params, from_row);
}

Status update_order_notes(Connection& conn, const Order& o) {
  const Param params[] = {o.id, o.merchant_id, o.notes_json, o.updated_at};
  return expect_one_updated(conn.execute(kUpdateNotes, params), "order " + o.id);
}

}  // namespace paygate::store

namespace paygate::store {

namespace {

// Every payment is an attempt; only the first changes the status (and the time).
constexpr Sql kMarkAttempted{
    "UPDATE orders SET attempts = attempts + 1,"
    " updated_at = CASE WHEN status = 'created' THEN $2 ELSE updated_at END,"
    " status = CASE WHEN status = 'created' THEN 'attempted' ELSE status END WHERE id = $1"};
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
