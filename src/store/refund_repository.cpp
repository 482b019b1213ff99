#include "store/refund_repository.h"

#include "store/stats_repository.h"

namespace paygate::store {

namespace {

#define PAYGATE_REFUND_COLUMNS                                                          \
  "id, payment_id, merchant_id, amount, status, reason, error_code, error_description," \
  " processing_started_at, created_at, updated_at, version, notes, currency"

constexpr Sql kInsert{"INSERT INTO refunds (" PAYGATE_REFUND_COLUMNS
                      ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"};
constexpr Sql kUpdate{
    "UPDATE refunds SET status = $2, error_code = $3, error_description = $4,"
    " processing_started_at = $5, updated_at = $6, version = $7, notes = $9"
    " WHERE id = $1 AND version = $8"};
constexpr Sql kFind{"SELECT " PAYGATE_REFUND_COLUMNS
                    " FROM refunds WHERE id = $1 AND merchant_id = $2"};
constexpr Sql kFindAny{"SELECT " PAYGATE_REFUND_COLUMNS " FROM refunds WHERE id = $1"};
constexpr Sql kList{"SELECT " PAYGATE_REFUND_COLUMNS
                    " FROM refunds WHERE merchant_id = $1 AND created_at >= $2"
                    " AND created_at <= $3 AND ($6 = '' OR payment_id = $6)"
                    " ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5"};
constexpr Sql kStale{"SELECT " PAYGATE_REFUND_COLUMNS
                     " FROM refunds WHERE status = 'PENDING' AND created_at < $1"
                     " ORDER BY created_at LIMIT $2"};
constexpr Sql kCommitted{
    "SELECT coalesce(sum(amount), 0) FROM refunds WHERE payment_id = $1 AND status <> 'FAILED'"};
constexpr Sql kAddRefunded{
    "UPDATE payments SET amount_refunded = amount_refunded + $2, updated_at = $3,"
    " version = version + 1 WHERE id = $1"};
constexpr Sql kLockPostgres{"SELECT id FROM payments WHERE id = $1 FOR UPDATE"};

#undef PAYGATE_REFUND_COLUMNS

Refund from_row(const Row& r) {
  Refund f;
  f.id = r.string(0);
  f.payment_id = r.string(1);
  f.merchant_id = r.string(2);
  f.amount = r.int64(3);
  f.status = r.string(4);
  f.reason = r.optional_string(5);
  f.error_code = r.optional_string(6);
  f.error_description = r.optional_string(7);
  f.processing_started_at = r.optional_int64(8);
  f.created_at = r.int64(9);
  f.updated_at = r.int64(10);
  f.version = r.int64(11);
  f.notes_json = r.string(12);
  f.currency = r.string(13);
  return f;
}

}  // namespace

Status insert_refund(Connection& conn, const Refund& r) {
  const Param params[] = {r.id,
                          r.payment_id,
                          r.merchant_id,
                          r.amount,
                          r.status,
                          nullable(r.reason),
                          nullable(r.error_code),
                          nullable(r.error_description),
                          nullable(r.processing_started_at),
                          r.created_at,
                          r.updated_at,
                          r.version,
                          r.notes_json,
                          r.currency};
  if (auto res = conn.execute(kInsert, params); !res) return fail(res.error());
  return add_to_stats(conn, r.merchant_id, r.created_at, refund_metric(kTotal), 1, r.amount);
}

Status update_refund(Connection& conn, Refund& r, std::string_view previous_status) {
  const std::int64_t read_version = r.version;
  const Param params[] = {r.id,
                          r.status,
                          nullable(r.error_code),
                          nullable(r.error_description),
                          nullable(r.processing_started_at),
                          r.updated_at,
                          read_version + 1,
                          read_version,
                          r.notes_json};
  if (auto s = expect_one_updated(conn.execute(kUpdate, params), "refund " + r.id); !s) return s;
  r.version = read_version + 1;
  // Totals change once, when the refund leaves PENDING.
  if (previous_status != kRefundPending || r.status == kRefundPending) return {};
  return add_to_stats(conn, r.merchant_id, r.created_at, refund_metric(r.status), 1, r.amount);
}

Result<std::optional<Refund>> find_refund(Connection& conn, std::string_view merchant_id,
                                          std::string_view id) {
  const Param params[] = {id, merchant_id};
  return query_one(conn, kFind, params, from_row);
}

Result<std::optional<Refund>> find_refund_any(Connection& conn, std::string_view id) {
  const Param params[] = {id};
  return query_one(conn, kFindAny, params, from_row);
}

Result<std::vector<Refund>> list_refunds(Connection& conn, std::string_view merchant_id,
                                         const RefundPage& page) {
  const PageWindow& w = page.window;
  const Param params[] = {merchant_id, w.from, w.to, w.count, w.skip, page.payment_id};
  return query_all(conn, kList, params, from_row);
}

Result<std::vector<Refund>> find_stale_refunds(Connection& conn, Micros before, int limit) {
  const Param params[] = {before, std::int64_t{limit}};
  return query_all(conn, kStale, params, from_row);
}

Result<std::int64_t> refunds_committed(Connection& conn, std::string_view payment_id) {
  std::int64_t sum = 0;
  const Param params[] = {payment_id};
  auto r = conn.execute(kCommitted, params, [&](const Row& row) { sum = row.int64(0); });
  if (!r) return fail(r.error());
  return sum;
}

Status add_amount_refunded(Connection& conn, std::string_view payment_id, std::int64_t amount,
                           Micros now) {
  const Param params[] = {payment_id, amount, now};
  return to_status(conn.execute(kAddRefunded, params));
}

Status lock_payment(Connection& conn, std::string_view payment_id) {
  if (conn.backend() != Backend::postgres) return {};
  const Param params[] = {payment_id};
  return to_status(conn.execute(kLockPostgres, params));
}

}  // namespace paygate::store
