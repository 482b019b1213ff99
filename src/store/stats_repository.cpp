#include "store/stats_repository.h"

namespace paygate::store {

namespace {

// PostgreSQL runs writers concurrently: spreading a hot total over a few rows
// keeps them from queueing on one row lock. SQLite has one writer; one row.
constexpr std::int64_t kPostgresShards = 8;

constexpr Sql kAdd{
    "INSERT INTO stats_counters (merchant_id, hour, metric, shard, count, amount)"
    " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (merchant_id, hour, metric, shard)"
    " DO UPDATE SET count = stats_counters.count + excluded.count,"
    " amount = stats_counters.amount + excluded.amount"};
constexpr Sql kAddLatency{
    "INSERT INTO payment_latency_stats (merchant_id, hour, bucket, count, sum_us, min_us, max_us)"
    " VALUES ($1, $2, $3, 1, $4, $4, $4) ON CONFLICT (merchant_id, hour, bucket)"
    " DO UPDATE SET count = payment_latency_stats.count + 1,"
    " sum_us = payment_latency_stats.sum_us + excluded.sum_us,"
    " min_us = CASE WHEN excluded.min_us < payment_latency_stats.min_us"
    " THEN excluded.min_us ELSE payment_latency_stats.min_us END,"
    " max_us = CASE WHEN excluded.max_us > payment_latency_stats.max_us"
    " THEN excluded.max_us ELSE payment_latency_stats.max_us END"};
constexpr Sql kHourly{
    "SELECT metric, sum(count), sum(amount) FROM stats_counters"
    " WHERE merchant_id = $1 AND hour >= $2 AND hour <= $3 GROUP BY metric"};
constexpr Sql kHourlyLatency{
    "SELECT bucket, sum(count), sum(sum_us), min(min_us), max(max_us) FROM payment_latency_stats"
    " WHERE merchant_id = $1 AND hour >= $2 AND hour <= $3 GROUP BY bucket"};
constexpr Sql kRawPayments{
    "SELECT method, status, amount, processing_started_at, finished_at FROM payments"
    " WHERE merchant_id = $1 AND created_at >= $2 AND created_at <= $3"};
constexpr Sql kRawRefunds{
    "SELECT status, amount FROM refunds"
    " WHERE merchant_id = $1 AND created_at >= $2 AND created_at <= $3"};
constexpr Sql kRawDeliveries{
    "SELECT status, attempts FROM webhook_deliveries"
    " WHERE merchant_id = $1 AND created_at >= $2 AND created_at <= $3"};
constexpr Sql kAll{"SELECT metric, sum(count), sum(amount) FROM stats_counters GROUP BY metric"};

void add_counter_row(const Row& r, StatsTotals& into) {
  into.add(r.text(0), r.int64(1), r.int64(2));
}

}  // namespace

Status add_to_stats(Connection& conn, std::string_view merchant_id, Micros created_at,
                    std::string_view metric, std::int64_t count, std::int64_t amount) {
  // The creation time's microseconds pick the shard: spread, and stable for one object.
  const std::int64_t shard = conn.backend() == Backend::postgres ? created_at % kPostgresShards : 0;
  const Param params[] = {merchant_id, created_at / kStatsHour, metric, shard, count, amount};
  return to_status(conn.execute(kAdd, params));
}

Status add_payment_latency(Connection& conn, std::string_view merchant_id, Micros created_at,
                           Micros latency) {
  const Param params[] = {merchant_id, created_at / kStatsHour, latency_bucket(latency), latency};
  return to_status(conn.execute(kAddLatency, params));
}

Status load_hourly_stats(Connection& conn, std::string_view merchant_id, std::int64_t first_hour,
                         std::int64_t last_hour, StatsTotals& into) {
  const Param params[] = {merchant_id, first_hour, last_hour};
  if (auto done = conn.execute(kHourly, params, [&](const Row& r) { add_counter_row(r, into); });
      !done) {
    return fail(done.error());
  }
  return to_status(conn.execute(kHourlyLatency, params, [&](const Row& r) {
    into.add_latency(r.int64(0), LatencyBucket{r.int64(1), r.int64(2), r.int64(3), r.int64(4)});
  }));
}

Status load_raw_stats(Connection& conn, std::string_view merchant_id, Micros from, Micros to,
                      StatsTotals& into) {
  const Param params[] = {merchant_id, from, to};
  auto done = conn.execute(kRawPayments, params, [&](const Row& r) {
    into.add(payment_metric(r.text(0), r.text(1)), 1, r.int64(2));
    if (!r.is_null(3) && !r.is_null(4)) into.add_latency(r.int64(4) - r.int64(3));
  });
  if (!done) return fail(done.error());
  done = conn.execute(kRawRefunds, params,
                      [&](const Row& r) { into.add(refund_metric(r.text(0)), 1, r.int64(1)); });
  if (!done) return fail(done.error());
  return to_status(conn.execute(kRawDeliveries, params, [&](const Row& r) {
    into.add(delivery_metric(r.text(0)), 1, 0);
    if (r.int64(1) > 1) into.add(kDeliveryRetriesMetric, r.int64(1) - 1, 0);
  }));
}

Status load_all_stats(Connection& conn, StatsTotals& into) {
  return to_status(conn.execute(kAll, {}, [&](const Row& r) { add_counter_row(r, into); }));
}

}  // namespace paygate::store
