#include "store/stats_repository.h"

#include "core/payment.h"
#include "core/refund.h"
#include "core/webhook.h"

namespace paygate::store {

namespace {

// One statement, three rows: the merchant's hour and day, and all merchants'
// all time (merchant '*', span 0, hour 0), so that /metrics reads one row per
// metric and writer shard however long the history and however many merchants.
constexpr Sql kAdd{
    "INSERT INTO stats_counters (merchant_id, span_hours, hour, metric, shard, count, amount)"
    " VALUES ($1, 1, $2, $4, $5, $6, $7), ($1, 24, $3, $4, $5, $6, $7),"
    " ('*', 0, 0, $4, $5, $6, $7)"
    " ON CONFLICT (merchant_id, span_hours, hour, metric, shard)"
    " DO UPDATE SET count = stats_counters.count + excluded.count,"
    " amount = stats_counters.amount + excluded.amount"};
constexpr Sql kAddLatency{
    "INSERT INTO payment_latency_stats"
    " (merchant_id, span_hours, hour, bucket, count, sum_us, min_us, max_us)"
    " VALUES ($1, 1, $2, $4, 1, $5, $5, $5), ($1, 24, $3, $4, 1, $5, $5, $5)"
    " ON CONFLICT (merchant_id, span_hours, hour, bucket)"
    " DO UPDATE SET count = payment_latency_stats.count + 1,"
    " sum_us = payment_latency_stats.sum_us + excluded.sum_us,"
    " min_us = CASE WHEN excluded.min_us < payment_latency_stats.min_us"
    " THEN excluded.min_us ELSE payment_latency_stats.min_us END,"
    " max_us = CASE WHEN excluded.max_us > payment_latency_stats.max_us"
    " THEN excluded.max_us ELSE payment_latency_stats.max_us END"};
constexpr Sql kTotals{
    "SELECT metric, sum(count), sum(amount) FROM stats_counters"
    " WHERE merchant_id = $1 AND span_hours = $2 AND hour >= $3 AND hour <= $4 GROUP BY metric"};
constexpr Sql kLatency{
    "SELECT bucket, sum(count), sum(sum_us), min(min_us), max(max_us) FROM payment_latency_stats"
    " WHERE merchant_id = $1 AND span_hours = $2 AND hour >= $3 AND hour <= $4 GROUP BY bucket"};
constexpr Sql kRawPayments{
    "SELECT method, status, amount, processing_started_at, finished_at FROM payments"
    " WHERE merchant_id = $1 AND created_at >= $2 AND created_at <= $3"};
constexpr Sql kRawRefunds{
    "SELECT status, amount FROM refunds"
    " WHERE merchant_id = $1 AND created_at >= $2 AND created_at <= $3"};
constexpr Sql kRawDeliveries{
    "SELECT status, attempts FROM webhook_deliveries"
    " WHERE merchant_id = $1 AND created_at >= $2 AND created_at <= $3"};
// The all-time rows only: a range of the primary key.
constexpr Sql kAll{
    "SELECT metric, sum(count), sum(amount) FROM stats_counters"
    " WHERE merchant_id = '*' AND span_hours = 0 AND hour = 0 GROUP BY metric"};

void add_counter_row(const Row& r, StatsTotals& into) {
  into.add(r.text(0), r.int64(1), r.int64(2));
}

std::int64_t hour_of(Micros t) {
  return t / kStatsHour;
}

std::int64_t day_start_hour(Micros t) {
  return hour_of(t) / kHoursPerDay * kHoursPerDay;
}

}  // namespace

Status add_to_stats(Connection& conn, std::string_view merchant_id, Micros created_at,
                    std::string_view metric, std::int64_t count, std::int64_t amount) {
  // A total is the sum of its shards' rows: each writer connection adds to its
  // own (Connection::shard), so concurrent writers never queue on one row.
  const Param params[] = {merchant_id, hour_of(created_at), day_start_hour(created_at),
                          metric,      conn.shard(),        count,
                          amount};
  return to_status(conn.execute(kAdd, params));
}

Status add_payment_latency(Connection& conn, std::string_view merchant_id, Micros created_at,
                           Micros latency) {
  const Param params[] = {merchant_id, hour_of(created_at), day_start_hour(created_at),
                          latency_bucket(latency), latency};
  return to_status(conn.execute(kAddLatency, params));
}

Status load_stats_totals(Connection& conn, std::string_view merchant_id, std::int64_t span_hours,
                         std::int64_t first_hour, std::int64_t last_hour, StatsTotals& into) {
  const Param params[] = {merchant_id, span_hours, first_hour, last_hour};
  if (auto done = conn.execute(kTotals, params, [&](const Row& r) { add_counter_row(r, into); });
      !done) {
    return fail(done.error());
  }
  return to_status(conn.execute(kLatency, params, [&](const Row& r) {
    into.add_latency(r.int64(0), LatencyBucket{r.int64(1), r.int64(2), r.int64(3), r.int64(4)});
  }));
}

Status load_raw_stats(Connection& conn, std::string_view merchant_id, Micros from, Micros to,
                      StatsTotals& into) {
  const Param params[] = {merchant_id, from, to};
  auto done = conn.execute(kRawPayments, params, [&](const Row& r) {
    const auto method = r.text(0);
    const auto status = r.text(1);
    into.add(payment_metric(method, kTotal), 1, r.int64(2));
    if (is_final_payment_status(status)) {
      into.add(payment_metric(method, status), 1, r.int64(2));
      if (!r.is_null(3) && !r.is_null(4)) into.add_latency(r.int64(4) - r.int64(3));
    }
  });
  if (!done) return fail(done.error());
  done = conn.execute(kRawRefunds, params, [&](const Row& r) {
    into.add(refund_metric(kTotal), 1, r.int64(1));
    if (r.text(0) != kRefundPending) into.add(refund_metric(r.text(0)), 1, r.int64(1));
  });
  if (!done) return fail(done.error());
  return to_status(conn.execute(kRawDeliveries, params, [&](const Row& r) {
    into.add(delivery_metric(kTotal), 1, 0);
    if (r.text(0) != kDeliveryPending) into.add(delivery_metric(r.text(0)), 1, 0);
    if (r.int64(1) > 1) into.add(kDeliveryRetriesMetric, r.int64(1) - 1, 0);
  }));
}

Status load_all_stats(Connection& conn, StatsTotals& into) {
  return to_status(conn.execute(kAll, {}, [&](const Row& r) { add_counter_row(r, into); }));
}

}  // namespace paygate::store
