#include "core/stats.h"

#include <algorithm>
#include <cmath>

#include "core/payment.h"
#include "core/refund.h"
#include "core/webhook.h"
#include "store/async.h"
#include "store/stats_repository.h"

namespace paygate {

namespace asio = boost::asio;

std::string payment_metric(std::string_view method, std::string_view status) {
  std::string m = "payment:";
  m += method;
  m += ':';
  m += status;
  return m;
}

std::string refund_metric(std::string_view status) {
  return "refund:" + std::string(status);
}

std::string delivery_metric(std::string_view status) {
  return "delivery:" + std::string(status);
}

std::int64_t latency_bucket(Micros latency) {
  if (latency < 1000) return std::max<Micros>(latency, 0);
  // Same as the SQL that fills the buckets of older payments (migration 6):
  // length(text) * 1000 + first three digits.
  const std::string digits = std::to_string(latency);
  return static_cast<std::int64_t>(digits.size()) * 1000 + std::stoll(digits.substr(0, 3));
}

void StatsTotals::add(std::string_view metric, std::int64_t count, std::int64_t amount) {
  auto it = counters.find(metric);
  if (it == counters.end()) it = counters.emplace(std::string(metric), Total{}).first;
  it->second.count += count;
  it->second.amount += amount;
}

void StatsTotals::add_latency(std::int64_t bucket, const LatencyBucket& b) {
  if (b.count <= 0) return;
  auto [it, fresh] = latency.try_emplace(bucket, b);
  if (fresh) return;
  LatencyBucket& into = it->second;
  into.count += b.count;
  into.sum += b.sum;
  into.min = std::min(into.min, b.min);
  into.max = std::max(into.max, b.max);
}

void StatsTotals::add_latency(Micros l) {
  add_latency(latency_bucket(l), LatencyBucket{1, l, l, l});
}

std::int64_t rate_bp(std::int64_t part, std::int64_t whole) {
  if (whole <= 0) return 0;
  return (part * 10'000 + whole / 2) / whole;
}

Micros latency_percentile(const std::map<std::int64_t, LatencyBucket>& buckets, std::int64_t count,
                          double q) {
  if (count <= 0) return 0;
  const auto rank = std::clamp<std::int64_t>(
      static_cast<std::int64_t>(std::ceil(q * static_cast<double>(count))), 1, count);
  std::int64_t seen = 0;
  for (const auto& [bucket, b] : buckets) {
    if (seen + b.count < rank) {
      seen += b.count;
      continue;
    }
    // Inside the bucket, spread its values evenly between its min and max.
    if (b.count == 1 || b.min == b.max) return b.min;
    const auto k = rank - seen - 1;  // 0-based rank within the bucket
    return b.min + (b.max - b.min) * k / (b.count - 1);
  }
  return buckets.empty() ? 0 : buckets.rbegin()->second.max;
}

MerchantStats summarize(const StatsTotals& totals) {
  MerchantStats s;
  for (const auto& [metric, t] : totals.counters) {
    const std::string_view m = metric;
    if (m.starts_with("payment:")) {
      const std::string_view status = m.substr(m.rfind(':') + 1);
      s.payments.total += t.count;
      if (status == kPaymentCreated)
        s.payments.created += t.count;
      else if (status == kPaymentProcessing)
        s.payments.processing += t.count;
      else if (status == kPaymentSuccess) {
        s.payments.success += t.count;
        s.payments.amount_success += t.amount;
      } else if (status == kPaymentFailed)
        s.payments.failed += t.count;
    } else if (m.starts_with("refund:")) {
      const std::string_view status = m.substr(7);
      s.refunds.total += t.count;
      if (status == kRefundPending)
        s.refunds.pending += t.count;
      else if (status == kRefundProcessed) {
        s.refunds.processed += t.count;
        s.refunds.amount_refunded += t.amount;
      } else if (status == kRefundFailed)
        s.refunds.failed += t.count;
    } else if (m.starts_with("delivery:")) {
      const std::string_view status = m.substr(9);
      s.webhooks.total += t.count;
      if (status == kDeliverySuccess)
        s.webhooks.success += t.count;
      else if (status == kDeliveryFailed)
        s.webhooks.failed += t.count;
      else if (status == kDeliveryPending)
        s.webhooks.pending += t.count;
    } else if (m == kDeliveryRetriesMetric) {
      s.webhooks.retries += t.count;
    }
  }
  s.payments.success_rate_bp = rate_bp(s.payments.success, s.payments.total);
  s.payments.failure_rate_bp = rate_bp(s.payments.failed, s.payments.total);
  s.webhooks.success_rate_bp = rate_bp(s.webhooks.success, s.webhooks.total);

  auto& l = s.latency;
  Micros sum = 0;
  bool first = true;
  for (const auto& [bucket, b] : totals.latency) {
    l.count += b.count;
    sum += b.sum;
    l.min = first ? b.min : std::min(l.min, b.min);
    l.max = first ? b.max : std::max(l.max, b.max);
    first = false;
  }
  if (l.count > 0) {
    l.avg = (sum + l.count / 2) / l.count;
    l.p50 = latency_percentile(totals.latency, l.count, 0.50);
    l.p95 = latency_percentile(totals.latency, l.count, 0.95);
    l.p99 = latency_percentile(totals.latency, l.count, 0.99);
  }
  return s;
}

asio::awaitable<Result<MerchantStats>> StatsService::for_merchant(const Merchant& merchant,
                                                                  StatsWindow w) {
  auto totals = co_await store::read(db_, [&](store::Connection& c) -> Result<StatsTotals> {
    StatsTotals t;
    // Whole hours inside the window come from the running totals; the ragged
    // edges, if any, from the objects.
    const std::int64_t first_hour = w.from / kStatsHour + (w.from % kStatsHour != 0 ? 1 : 0);
    const std::int64_t last_hour =
        w.to == INT64_MAX ? INT64_MAX / kStatsHour : (w.to + 1) / kStatsHour - 1;
    if (first_hour > last_hour) {
      if (auto s = store::load_raw_stats(c, merchant.id, w.from, w.to, t); !s)
        return fail(s.error());
      return t;
    }
    if (auto s = store::load_hourly_stats(c, merchant.id, first_hour, last_hour, t); !s) {
      return fail(s.error());
    }
    if (w.from < first_hour * kStatsHour) {
      if (auto s = store::load_raw_stats(c, merchant.id, w.from, first_hour * kStatsHour - 1, t);
          !s) {
        return fail(s.error());
      }
    }
    if (last_hour < INT64_MAX / kStatsHour && w.to >= (last_hour + 1) * kStatsHour) {
      if (auto s = store::load_raw_stats(c, merchant.id, (last_hour + 1) * kStatsHour, w.to, t);
          !s) {
        return fail(s.error());
      }
    }
    return t;
  });
  if (!totals) co_return fail(std::move(totals.error()));
  co_return summarize(*totals);
}

asio::awaitable<Result<StatsTotals>> StatsService::all_merchants() {
  co_return co_await store::read(db_, [](store::Connection& c) -> Result<StatsTotals> {
    StatsTotals t;
    if (auto s = store::load_all_stats(c, t); !s) return fail(s.error());
    return t;
  });
}

}  // namespace paygate
