#include "store/payment_repository.h"

#include "store/job_repository.h"
#include "store/stats_repository.h"

namespace paygate::store {

namespace {

#define PAYGATE_PAYMENT_COLUMNS                                                               \
  "id, order_id, merchant_id, amount, currency, method, status, captured, capture_requested," \
  " error_code, error_description, vpa, card_network, card_last4, card_expiry_month,"         \
  " card_expiry_year, card_fingerprint, processing_started_at, finished_at, created_at,"      \
  " updated_at, amount_refunded, version, notes, test_outcome, authentication_status,"        \
  " authentication_url, authentication_expires_at, authentication_failures"

constexpr Sql kInsert{
    "INSERT INTO payments (" PAYGATE_PAYMENT_COLUMNS
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,"
    " $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29)"};
constexpr Sql kUpdate{
    "UPDATE payments SET status = $2, captured = $3, capture_requested = $4, error_code = $5,"
    " error_description = $6, processing_started_at = $7, finished_at = $8, updated_at = $9,"
    " version = $10, notes = $12, authentication_status = $13, authentication_failures = $14"
    " WHERE id = $1 AND version = $11"};
constexpr Sql kFind{"SELECT " PAYGATE_PAYMENT_COLUMNS
                    " FROM payments WHERE id = $1 AND merchant_id = $2"};
constexpr Sql kFindAny{"SELECT " PAYGATE_PAYMENT_COLUMNS " FROM payments WHERE id = $1"};
constexpr Sql kList{"SELECT " PAYGATE_PAYMENT_COLUMNS
                    " FROM payments WHERE merchant_id = $1 AND created_at >= $2"
                    " AND created_at <= $3 AND ($6 = '' OR order_id = $6)"
                    " AND ($7 = '' OR status = $7) AND ($8 = '' OR method = $8)"
                    " ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5"};
constexpr Sql kStuck{"SELECT " PAYGATE_PAYMENT_COLUMNS
                     " FROM payments WHERE status = 'PROCESSING' AND processing_started_at < $1"
                     " LIMIT $2"};
// A job is live while it may still run: pending or running (not done or dead).
constexpr Sql kOrphaned{"SELECT " PAYGATE_PAYMENT_COLUMNS
                        " FROM payments p WHERE status = 'CREATED' AND NOT EXISTS"
                        " (SELECT 1 FROM jobs j WHERE j.subject_id = p.id"
                        " AND j.state IN ('pending', 'running'))"
                        " ORDER BY created_at LIMIT $1"};
// Its job (waiting for the shopper's answer until the step expires) due now.
constexpr Sql kWakeJob{
    "UPDATE jobs SET run_at = $2, updated_at = $2 WHERE subject_id = $1 AND kind = $3"
    " AND state = 'pending' AND run_at > $2"};
constexpr Sql kOrderHasSuccess{
    "SELECT count(*) FROM payments WHERE order_id = $1 AND status = 'SUCCESS' AND id <> $2"};

#undef PAYGATE_PAYMENT_COLUMNS

Payment from_row(const Row& r) {
  Payment p;
  p.id = r.string(0);
  p.order_id = r.string(1);
  p.merchant_id = r.string(2);
  p.amount = r.int64(3);
  p.currency = r.string(4);
  p.method = r.string(5);
  p.status = r.string(6);
  p.captured = r.int64(7) != 0;
  p.capture_requested = r.int64(8) != 0;
  p.error_code = r.optional_string(9);
  p.error_description = r.optional_string(10);
  p.vpa = r.optional_string(11);
  p.card_network = r.optional_string(12);
  p.card_last4 = r.optional_string(13);
  p.card_expiry_month = r.optional_int64(14);
  p.card_expiry_year = r.optional_int64(15);
  p.card_fingerprint = r.optional_string(16);
  p.processing_started_at = r.optional_int64(17);
  p.finished_at = r.optional_int64(18);
  p.created_at = r.int64(19);
  p.updated_at = r.int64(20);
  p.amount_refunded = r.int64(21);
  p.version = r.int64(22);
  p.notes_json = r.string(23);
  p.test_outcome = r.optional_string(24);
  p.authentication_status = r.optional_string(25);
  p.authentication_url = r.optional_string(26);
  p.authentication_expires_at = r.optional_int64(27);
  p.authentication_failures = r.int64(28);
  return p;
}

}  // namespace

Status insert_payment(Connection& conn, const Payment& p) {
  const Param params[] = {p.id,
                          p.order_id,
                          p.merchant_id,
                          p.amount,
                          p.currency,
                          p.method,
                          p.status,
                          std::int64_t{p.captured},
                          std::int64_t{p.capture_requested},
                          nullable(p.error_code),
                          nullable(p.error_description),
                          nullable(p.vpa),
                          nullable(p.card_network),
                          nullable(p.card_last4),
                          nullable(p.card_expiry_month),
                          nullable(p.card_expiry_year),
                          nullable(p.card_fingerprint),
                          nullable(p.processing_started_at),
                          nullable(p.finished_at),
                          p.created_at,
                          p.updated_at,
                          p.amount_refunded,
                          p.version,
                          p.notes_json,
                          nullable(p.test_outcome),
                          nullable(p.authentication_status),
                          nullable(p.authentication_url),
                          nullable(p.authentication_expires_at),
                          p.authentication_failures};
  if (auto r = conn.execute(kInsert, params); !r) return fail(r.error());
  return add_to_stats(conn, p.merchant_id, p.created_at, payment_metric(p.method, kTotal), 1,
                      p.amount);
}

Status update_payment(Connection& conn, Payment& p, std::string_view previous_status) {
  const std::int64_t read_version = p.version;
  const Param params[] = {p.id,
                          p.status,
                          std::int64_t{p.captured},
                          std::int64_t{p.capture_requested},
                          nullable(p.error_code),
                          nullable(p.error_description),
                          nullable(p.processing_started_at),
                          nullable(p.finished_at),
                          p.updated_at,
                          read_version + 1,
                          read_version,
                          p.notes_json,
                          nullable(p.authentication_status),
                          p.authentication_failures};
  if (auto s = expect_one_updated(conn.execute(kUpdate, params), "payment " + p.id); !s) return s;
  p.version = read_version + 1;
  // Totals change once, when the payment reaches its final status.
  if (is_final_payment_status(previous_status) || !is_final_payment_status(p.status)) return {};
  if (auto s = add_to_stats(conn, p.merchant_id, p.created_at, payment_metric(p.method, p.status),
                            1, p.amount);
      !s) {
    return s;
  }
  if (p.processing_started_at && p.finished_at) {
    return add_payment_latency(conn, p.merchant_id, p.created_at,
                               *p.finished_at - *p.processing_started_at);
  }
  return {};
}

Result<std::optional<Payment>> find_payment(Connection& conn, std::string_view merchant_id,
                                            std::string_view id) {
  const Param params[] = {id, merchant_id};
  return query_one(conn, kFind, params, from_row);
}

Result<std::optional<Payment>> find_payment_any(Connection& conn, std::string_view id) {
  const Param params[] = {id};
  return query_one(conn, kFindAny, params, from_row);
}

Result<std::vector<Payment>> list_payments(Connection& conn, std::string_view merchant_id,
                                           const PaymentPage& page) {
  const PageWindow& w = page.window;
  const Param params[] = {merchant_id, w.from,        w.to,        w.count,
                          w.skip,      page.order_id, page.status, page.method};
  return query_all(conn, kList, params, from_row);
}

Result<std::vector<Payment>> find_stuck_payments(Connection& conn, Micros before, int limit) {
  const Param params[] = {before, std::int64_t{limit}};
  return query_all(conn, kStuck, params, from_row);
}

Result<std::vector<Payment>> find_orphaned_payments(Connection& conn, int limit) {
  const Param params[] = {std::int64_t{limit}};
  return query_all(conn, kOrphaned, params, from_row);
}

Status wake_payment_job(Connection& conn, std::string_view payment_id, Micros now) {
  const Param params[] = {payment_id, now, kJobProcessPayment};
  auto woken = conn.execute(kWakeJob, params);
  if (!woken) return fail(woken.error());
  // Workers in other processes look at once, as for a new job.
  if (*woken > 0) return conn.signal(kJobsChannel);
  return {};
}

Result<bool> order_has_success(Connection& conn, std::string_view order_id,
                               std::string_view except_id) {
  std::int64_t n = 0;
  const Param params[] = {order_id, except_id};
  auto r = conn.execute(kOrderHasSuccess, params, [&](const Row& row) { n = row.int64(0); });
  if (!r) return fail(r.error());
  return n > 0;
}

}  // namespace paygate::store
