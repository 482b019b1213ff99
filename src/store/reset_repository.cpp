#include "store/reset_repository.h"

namespace paygate::store {

namespace {

// Jobs carry no merchant: theirs are the ones whose subject is one of its
// payments, refunds or deliveries, so they go before their subjects do.
constexpr Sql kJobs{
    "DELETE FROM jobs WHERE subject_id IN (SELECT id FROM payments WHERE merchant_id = $1)"
    " OR subject_id IN (SELECT id FROM refunds WHERE merchant_id = $1)"
    " OR subject_id IN (SELECT id FROM webhook_deliveries WHERE merchant_id = $1)"};
constexpr Sql kAttempts{
    "DELETE FROM webhook_attempts WHERE delivery_id IN"
    " (SELECT id FROM webhook_deliveries WHERE merchant_id = $1)"};
constexpr Sql kDeliveries{"DELETE FROM webhook_deliveries WHERE merchant_id = $1"};
constexpr Sql kEvents{"DELETE FROM events WHERE merchant_id = $1"};
constexpr Sql kRefunds{"DELETE FROM refunds WHERE merchant_id = $1"};
constexpr Sql kPayments{"DELETE FROM payments WHERE merchant_id = $1"};
constexpr Sql kOrders{"DELETE FROM orders WHERE merchant_id = $1"};
constexpr Sql kIdempotencyKeys{"DELETE FROM idempotency_keys WHERE merchant_id = $1"};
// The dashboard's totals of what was deleted; the all-merchant rows ('*')
// behind /metrics are other rows and stay.
constexpr Sql kStats{"DELETE FROM stats_counters WHERE merchant_id = $1"};
constexpr Sql kLatency{"DELETE FROM payment_latency_stats WHERE merchant_id = $1"};

}  // namespace

Result<ResetCounts> delete_merchant_data(Connection& conn, std::string_view merchant_id) {
  const Param params[] = {merchant_id};
  ResetCounts counts;
  struct Step {
    Sql sql;
    std::int64_t* count;
  };
  // Children before parents: the foreign keys hold at every statement.
  const Step steps[] = {
      {kJobs, &counts.jobs},
      {kAttempts, &counts.webhook_attempts},
      {kDeliveries, &counts.webhook_deliveries},
      {kEvents, &counts.events},
      {kRefunds, &counts.refunds},
      {kPayments, &counts.payments},
      {kOrders, &counts.orders},
      {kIdempotencyKeys, &counts.idempotency_keys},
      {kStats, nullptr},
      {kLatency, nullptr},
  };
  for (const auto& step : steps) {
    auto deleted = conn.execute(step.sql, params);
    if (!deleted) return fail(deleted.error());
    if (step.count != nullptr) *step.count = *deleted;
  }
  return counts;
}

}  // namespace paygate::store
