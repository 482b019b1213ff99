// A merchant's statistics (GET /admin/stats): payment, refund and webhook
// counts, rates and payment latency over a window of creation times.
//
// The store keeps running totals per merchant and hour, updated in the same
// transactions that change the objects, so a window of whole hours costs a
// handful of rows however many payments it holds; only the partial hours at a
// window's edges are read from the objects themselves.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/merchant.h"
#include "store/database.h"

namespace paygate {

inline constexpr Micros kStatsHour = 3'600'000'000;

// Names of the running totals: "payment:<method>:<STATUS>", "refund:<STATUS>",
// "delivery:<status>" (count, amount), and the webhook retries (count).
std::string payment_metric(std::string_view method, std::string_view status);
std::string refund_metric(std::string_view status);
std::string delivery_metric(std::string_view status);
inline constexpr std::string_view kDeliveryRetriesMetric = "delivery_retries";

// Latency histogram bucket: exact below 1 ms, else the decimal length and
// first three digits of the microseconds (under 1% wide).
std::int64_t latency_bucket(Micros latency);

struct LatencyBucket {
  std::int64_t count = 0;
  Micros sum = 0;
  Micros min = 0;
  Micros max = 0;
};

// What the store adds up for a window.
struct StatsTotals {
  struct Total {
    std::int64_t count = 0;
    std::int64_t amount = 0;
  };
  std::map<std::string, Total, std::less<>> counters;
  std::map<std::int64_t, LatencyBucket> latency;  // by latency_bucket

  void add(std::string_view metric, std::int64_t count, std::int64_t amount);
  void add_latency(std::int64_t bucket, const LatencyBucket& b);
  void add_latency(Micros latency);
};

struct MerchantStats {
  struct Payments {
    std::int64_t total = 0, created = 0, processing = 0, success = 0, failed = 0;
    std::int64_t amount_success = 0;
    std::int64_t success_rate_bp = 0, failure_rate_bp = 0;  // hundredths of a percent
  } payments;
  struct Webhooks {
    std::int64_t total = 0, success = 0, failed = 0, pending = 0, retries = 0;
    std::int64_t success_rate_bp = 0;
  } webhooks;
  struct Latency {
    std::int64_t count = 0;
    Micros avg = 0, min = 0, max = 0, p50 = 0, p95 = 0, p99 = 0;
  } latency;
  struct Refunds {
    std::int64_t total = 0, processed = 0, failed = 0, pending = 0, amount_refunded = 0;
  } refunds;
};

MerchantStats summarize(const StatsTotals& totals);
// Hundredths of a percent, rounded half up; 0 when whole is 0.
std::int64_t rate_bp(std::int64_t part, std::int64_t whole);
// Nearest-rank percentile (q in (0, 1]) of the bucketed latencies.
Micros latency_percentile(const std::map<std::int64_t, LatencyBucket>& buckets, std::int64_t count,
                          double q);

struct StatsWindow {
  Micros from = 0;
  Micros to = INT64_MAX;
};

class StatsService {
 public:
  explicit StatsService(store::Database& db) : db_(db) {}
  boost::asio::awaitable<Result<MerchantStats>> for_merchant(const Merchant& merchant,
                                                             StatsWindow window);
  // Every merchant's running totals by name (for /metrics).
  boost::asio::awaitable<Result<StatsTotals>> all_merchants();

 private:
  store::Database& db_;
};

}  // namespace paygate
