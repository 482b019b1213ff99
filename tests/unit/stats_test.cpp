#include "core/stats.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace paygate {
namespace {

TEST(LatencyBucket, ExactBelow100MicrosecondsThenTwoSignificantDigits) {
  EXPECT_EQ(latency_bucket(0), 0);
  EXPECT_EQ(latency_bucket(99), 99);
  EXPECT_EQ(latency_bucket(100), 310);
  EXPECT_EQ(latency_bucket(109), 310);
  EXPECT_EQ(latency_bucket(110), 311);
  EXPECT_EQ(latency_bucket(1'234'567), 712);
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
  t.add(payment_metric("card", kTotal), 5, 3200);
  t.add(payment_metric("upi", kTotal), 3, 1400);
  t.add(payment_metric("card", "SUCCESS"), 3, 3000);
  t.add(payment_metric("upi", "SUCCESS"), 1, 500);
  t.add(payment_metric("upi", "FAILED"), 2, 900);
  t.add(payment_metric("card", "FAILED"), 1, 100);
  t.add(refund_metric(kTotal), 4, 760);
  t.add(refund_metric("PROCESSED"), 2, 700);
  t.add(refund_metric("FAILED"), 1, 50);
  t.add(delivery_metric(kTotal), 6, 0);
  t.add(delivery_metric("success"), 4, 0);
  t.add(delivery_metric("failed"), 2, 0);
  t.add(delivery_metric("failed"), -1, 0);  // retried by hand, pending again
  t.add(kDeliveryRetriesMetric, 6, 0);
  const MerchantStats s = summarize(t);
  EXPECT_EQ(s.payments.total, 8);
  EXPECT_EQ(s.payments.success, 4);
  EXPECT_EQ(s.payments.failed, 3);
  EXPECT_EQ(s.payments.processing, 1);
  EXPECT_EQ(s.payments.amount_success, 3500);
  EXPECT_EQ(s.payments.success_rate_bp, 5000);
  EXPECT_EQ(s.payments.failure_rate_bp, 3750);
  EXPECT_EQ(s.refunds.total, 4);
  EXPECT_EQ(s.refunds.processed, 2);
  EXPECT_EQ(s.refunds.failed, 1);
  EXPECT_EQ(s.refunds.pending, 1);
  EXPECT_EQ(s.refunds.amount_refunded, 700);
  EXPECT_EQ(s.webhooks.total, 6);
  EXPECT_EQ(s.webhooks.success, 4);
  EXPECT_EQ(s.webhooks.failed, 1);
  EXPECT_EQ(s.webhooks.pending, 1);
  EXPECT_EQ(s.webhooks.retries, 6);
  EXPECT_EQ(s.webhooks.success_rate_bp, 6667);
}

TEST(Summarize, LatencyMinMaxAvgExactPercentilesWithinTwoPercent) {
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
    EXPECT_NEAR(static_cast<double>(got), want, want * 0.02) << q;
  }
  EXPECT_LE(s.latency.p50, s.latency.p95);
  EXPECT_LE(s.latency.p95, s.latency.p99);
}

TEST(Summarize, MergedBucketsKeepExactExtremes) {
  StatsTotals t;
  t.add_latency(445, LatencyBucket{2, 9001, 4500, 4501});
  t.add_latency(445, LatencyBucket{1, 4499, 4499, 4499});
  t.add_latency(399, LatencyBucket{1, 999, 999, 999});
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

constexpr Micros kHour = kStatsHour;
constexpr Micros kDay = 24 * kStatsHour;
using Kind = WindowPiece::Kind;

TEST(PlanWindow, NoWindowIsAllDays) {
  const auto pieces = plan_window({});
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[0].kind, Kind::days);
  EXPECT_EQ(pieces[0].first, 0);
  EXPECT_EQ(pieces[1].kind, Kind::hours);  // the hours of the last, partial day
}

TEST(PlanWindow, WithinOneHourIsObjectsOnly) {
  const Micros from = 100 * kDay + 5 * kHour + 10;
  EXPECT_EQ(plan_window({from, from + 1000}),
            (std::vector<WindowPiece>{{Kind::objects, from, from + 1000}}));
}

TEST(PlanWindow, RaggedEdgesHoursAroundWholeDays) {
  const Micros from = 10 * kDay + 22 * kHour + 7;  // 22:00:00.000007 on day 10
  const Micros to = 13 * kDay + 2 * kHour + 30;    // 02:00:00.000030 on day 13
  EXPECT_EQ(plan_window({from, to}), (std::vector<WindowPiece>{
                                         {Kind::objects, from, 10 * kDay + 23 * kHour - 1},
                                         {Kind::hours, 10 * 24 + 23, 10 * 24 + 23},
                                         {Kind::days, 11, 12},
                                         {Kind::hours, 13 * 24, 13 * 24 + 1},
                                         {Kind::objects, 13 * kDay + 2 * kHour, to},
                                     }));
}

TEST(PlanWindow, AlignedWholeDaysAndHours) {
  EXPECT_EQ(plan_window({2 * kDay, 4 * kDay - 1}), (std::vector<WindowPiece>{{Kind::days, 2, 3}}));
  EXPECT_EQ(plan_window({2 * kDay + kHour, 2 * kDay + 3 * kHour - 1}),
            (std::vector<WindowPiece>{{Kind::hours, 49, 50}}));
}

TEST(PlanWindow, PiecesCoverTheWindowExactlyOnce) {
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<Micros> at(0, 40 * kDay);
  for (int i = 0; i < 2000; ++i) {
    Micros a = at(rng), b = at(rng);
    if (a > b) std::swap(a, b);
    Micros next = a;  // every microsecond of [a, b] in order, once
    for (const auto& p : plan_window({a, b})) {
      const Micros lo = p.kind == Kind::objects ? p.first
                        : p.kind == Kind::hours ? p.first * kHour
                                                : p.first * kDay;
      const Micros hi = p.kind == Kind::objects ? p.last
                        : p.kind == Kind::hours ? (p.last + 1) * kHour - 1
                                                : (p.last + 1) * kDay - 1;
      ASSERT_EQ(lo, next) << a << ".." << b;
      ASSERT_LE(lo, hi);
      next = hi + 1;
    }
    ASSERT_EQ(next, b + 1) << a << ".." << b;
  }
}

}  // namespace
}  // namespace paygate
