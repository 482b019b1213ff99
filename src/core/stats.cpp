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
  if (latency < 100) return std::max<Micros>(latency, 0);
  // Same as the SQL that fills the buckets of older payments (migration 6):
  // length(text) * 100 + first two digits.
  const std::string digits = std::to_string(latency);
  return static_cast<std::int64_t>(digits.size()) * 100 + std::stoll(digits.substr(0, 2));
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
    const std::string_view last = m.substr(m.rfind(':') + 1);
    if (m.starts_with("payment:")) {
      if (last == kTotal) {
        s.payments.total += t.count;
      } else if (last == kPaymentSuccess) {
        s.payments.success += t.count;
        s.payments.amount_success += t.amount;
      } else if (last == kPaymentFailed) {
        s.payments.failed += t.count;
      }
    } else if (m.starts_with("refund:")) {
      if (last == kTotal) {
        s.refunds.total += t.count;
      } else if (last == kRefundProcessed) {
        s.refunds.processed += t.count;
        s.refunds.amount_refunded += t.amount;
      } else if (last == kRefundFailed) {
        s.refunds.failed += t.count;
      }
    } else if (m.starts_with("delivery:")) {
      if (last == kTotal) {
        s.webhooks.total += t.count;
      } else if (last == kDeliverySuccess) {
        s.webhooks.success += t.count;
      } else if (last == kDeliveryFailed) {
        s.webhooks.failed += t.count;
      }
    } else if (m == kDeliveryRetriesMetric) {
      s.webhooks.retries += t.count;
    }
  }
  // Not final yet: CREATED or PROCESSING payments, PENDING refunds, pending deliveries.
  s.payments.processing = s.payments.total - s.payments.success - s.payments.failed;
  s.refunds.pending = s.refunds.total - s.refunds.processed - s.refunds.failed;
  s.webhooks.pending = s.webhooks.total - s.webhooks.success - s.webhooks.failed;
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

std::vector<WindowPiece> plan_window(StatsWindow w) {
  using Kind = WindowPiece::Kind;
  std::vector<WindowPiece> pieces;
  const bool open_end = w.to == INT64_MAX;
  // Whole hours inside the window; the rest at either end is read from objects.
  const std::int64_t first_hour = w.from / kStatsHour + (w.from % kStatsHour != 0 ? 1 : 0);
  const std::int64_t last_hour = open_end ? INT64_MAX / kStatsHour : (w.to + 1) / kStatsHour - 1;
  if (first_hour > last_hour) return {{Kind::objects, w.from, w.to}};
  if (w.from < first_hour * kStatsHour) {
    pieces.push_back({Kind::objects, w.from, first_hour * kStatsHour - 1});
  }
  // Whole days inside those hours; the hours around them one by one.
  const std::int64_t first_day =
      first_hour / kHoursPerDay + (first_hour % kHoursPerDay != 0 ? 1 : 0);
  const std::int64_t last_day = (last_hour + 1) / kHoursPerDay - 1;
  if (first_day > last_day) {
    pieces.push_back({Kind::hours, first_hour, last_hour});
  } else {
    if (first_hour < first_day * kHoursPerDay) {
      pieces.push_back({Kind::hours, first_hour, first_day * kHoursPerDay - 1});
    }
    pieces.push_back({Kind::days, first_day, last_day});
    if (last_hour >= (last_day + 1) * kHoursPerDay) {
      pieces.push_back({Kind::hours, (last_day + 1) * kHoursPerDay, last_hour});
    }
  }
  if (!open_end && w.to >= (last_hour + 1) * kStatsHour) {
    pieces.push_back({Kind::objects, (last_hour + 1) * kStatsHour, w.to});
  }
  return pieces;
}

asio::awaitable<Result<MerchantStats>> StatsService::for_merchant(const Merchant& merchant,
                                                                  StatsWindow w) {
  auto totals = co_await store::read(db_, [&](store::Connection& c) -> Result<StatsTotals> {
    StatsTotals t;
    for (const WindowPiece& piece : plan_window(w)) {
      Status s;
      switch (piece.kind) {
        case WindowPiece::Kind::days:
          s = store::load_stats_totals(c, merchant.id, kHoursPerDay, piece.first * kHoursPerDay,
                                       piece.last * kHoursPerDay, t);
          break;
        case WindowPiece::Kind::hours:
          s = store::load_stats_totals(c, merchant.id, 1, piece.first, piece.last, t);
          break;
        case WindowPiece::Kind::objects:
          s = store::load_raw_stats(c, merchant.id, piece.first, piece.last, t);
          break;
      }
      if (!s) return fail(s.error());
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
