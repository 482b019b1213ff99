#include "core/stats.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace paygate {
namespace {

TEST(LatencyBucket, ExactBelowOneMillisecondThenThreeSignificantDigits) {
  EXPECT_EQ(latency_bucket(0), 0);
  EXPECT_EQ(latency_bucket(999), 999);
  EXPECT_EQ(latency_bucket(1000), 4100);
  EXPECT_EQ(latency_bucket(1009), 4100);
  EXPECT_EQ(latency_bucket(1010), 4101);
  EXPECT_EQ(latency_bucket(1'234'567), 7123);
  EXPECT_EQ(latency_bucket(-5), 0);
}

TEST(LatencyBucket, OrderFollowsLatency) {
  std::int64_t previous = -1;
  for (Micros v = 0; v < 5'000'000; v += 997) {
    const auto b = latency_bucket(v);
    EXPECT_GE(b, previous) << v;
    previous = b;
  }
}

TEST(RateBp, RoundsHalfUpAndIsZeroWithoutAWhole) {
  EXPECT_EQ(rate_bp(0, 0), 0);
  EXPECT_EQ(rate_bp(1, 2), 5000);
  EXPECT_EQ(rate_bp(1, 3), 3333);
  EXPECT_EQ(rate_bp(2, 3), 6667);
  EXPECT_EQ(rate_bp(3, 3), 10000);
}

TEST(Summarize, EmptyTotalsAreAllZero) {
  const MerchantStats s = summarize(StatsTotals{});
  EXPECT_EQ(s.payments.total, 0);
  EXPECT_EQ(s.payments.success_rate_bp, 0);
  EXPECT_EQ(s.webhooks.success_rate_bp, 0);
  EXPECT_EQ(s.latency.p99, 0);
  EXPECT_EQ(s.latency.avg, 0);
  EXPECT_EQ(s.refunds.amount_refunded, 0);
}

TEST(Summarize, AddsUpEveryMethodAndStatus) {
  StatsTotals t;
  t.add(payment_metric("card", "SUCCESS"), 3, 3000);
  t.add(payment_metric("upi", "SUCCESS"), 1, 500);
  t.add(payment_metric("upi", "FAILED"), 2, 900);
  t.add(payment_metric("card", "PROCESSING"), 1, 100);
  t.add(payment_metric("card", "CREATED"), 1, 100);
  t.add(payment_metric("card", "CREATED"), -1, -100);  // moved on
  t.add(refund_metric("PROCESSED"), 2, 700);
  t.add(refund_metric("FAILED"), 1, 50);
  t.add(refund_metric("PENDING"), 1, 10);
  t.add(delivery_metric("success"), 4, 0);
  t.add(delivery_metric("failed"), 1, 0);
  t.add(kDeliveryRetriesMetric, 6, 0);
  const MerchantStats s = summarize(t);
  EXPECT_EQ(s.payments.total, 7);
  EXPECT_EQ(s.payments.success, 4);
  EXPECT_EQ(s.payments.failed, 2);
  EXPECT_EQ(s.payments.processing, 1);
  EXPECT_EQ(s.payments.created, 0);
  EXPECT_EQ(s.payments.amount_success, 3500);
  EXPECT_EQ(s.payments.success_rate_bp, 5714);
  EXPECT_EQ(s.payments.failure_rate_bp, 2857);
  EXPECT_EQ(s.refunds.total, 4);
  EXPECT_EQ(s.refunds.processed, 2);
  EXPECT_EQ(s.refunds.failed, 1);
  EXPECT_EQ(s.refunds.pending, 1);
  EXPECT_EQ(s.refunds.amount_refunded, 700);
  EXPECT_EQ(s.webhooks.total, 5);
  EXPECT_EQ(s.webhooks.failed, 1);
  EXPECT_EQ(s.webhooks.retries, 6);
  EXPECT_EQ(s.webhooks.success_rate_bp, 8000);
}

TEST(Summarize, LatencyMinMaxAvgExactPercentilesWithinOnePercent) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> dist(13.0, 1.0);  // ~0.4 s median, in micros
  std::vector<Micros> values;
  StatsTotals t;
  for (int i = 0; i < 20'000; ++i) {
    const auto v = static_cast<Micros>(dist(rng));
    values.push_back(v);
    t.add_latency(v);
  }
  std::sort(values.begin(), values.end());
  const MerchantStats s = summarize(t);
  Micros sum = 0;
  for (auto v : values) sum += v;
  EXPECT_EQ(s.latency.count, 20'000);
  EXPECT_EQ(s.latency.min, values.front());
  EXPECT_EQ(s.latency.max, values.back());
  EXPECT_EQ(s.latency.avg, (sum + 10'000) / 20'000);
  const auto nearest_rank = [&](double q) {
    return values[static_cast<std::size_t>(std::ceil(q * 20'000)) - 1];
  };
  for (auto [q, got] : {std::pair{0.50, s.latency.p50}, std::pair{0.95, s.latency.p95},
                        std::pair{0.99, s.latency.p99}}) {
    const double want = static_cast<double>(nearest_rank(q));
    EXPECT_NEAR(static_cast<double>(got), want, want * 0.01) << q;
  }
  EXPECT_LE(s.latency.p50, s.latency.p95);
  EXPECT_LE(s.latency.p95, s.latency.p99);
}

TEST(Summarize, MergedBucketsKeepExactExtremes) {
  StatsTotals t;
  t.add_latency(4500, LatencyBucket{2, 9001, 4500, 4501});
  t.add_latency(4500, LatencyBucket{1, 4499, 4499, 4499});
  t.add_latency(999, LatencyBucket{1, 999, 999, 999});
  const MerchantStats s = summarize(t);
  EXPECT_EQ(s.latency.count, 4);
  EXPECT_EQ(s.latency.min, 999);
  EXPECT_EQ(s.latency.max, 4501);
  EXPECT_EQ(s.latency.p50, 4499);  // rank 2: the bucket's first value
}

TEST(LatencyPercentile, SingleValue) {
  StatsTotals t;
  t.add_latency(1'500'000);
  EXPECT_EQ(latency_percentile(t.latency, 1, 0.5), 1'500'000);
  EXPECT_EQ(latency_percentile(t.latency, 1, 0.99), 1'500'000);
  EXPECT_EQ(latency_percentile({}, 0, 0.5), 0);
}

}  // namespace
}  // namespace paygate
