// SQL for the running totals behind GET /admin/stats and /metrics: kept per
// merchant for every hour and every day (span_hours 1 and 24), keyed by the
// first hour of the span, and for all merchants and all time (merchant_id
// '*', span_hours 0, hour 0).
#pragma once

#include <string_view>

#include "core/stats.h"
#include "store/database.h"

namespace paygate::store {

// Adds count and amount to a merchant's running total `metric` for the hour
// and the day of created_at, and to all merchants' all-time total.
Status add_to_stats(Connection& conn, std::string_view merchant_id, Micros created_at,
                    std::string_view metric, std::int64_t count, std::int64_t amount);
// Adds one settled payment's processing time.
Status add_payment_latency(Connection& conn, std::string_view merchant_id, Micros created_at,
                           Micros latency);

// The running totals of the spans of span_hours (1 or 24) that start in
// hours [first_hour, last_hour] (hours since the epoch).
Status load_stats_totals(Connection& conn, std::string_view merchant_id, std::int64_t span_hours,
                         std::int64_t first_hour, std::int64_t last_hour, StatsTotals& into);
// The same totals counted from the objects created in [from, to].
Status load_raw_stats(Connection& conn, std::string_view merchant_id, Micros from, Micros to,
                      StatsTotals& into);
// All merchants' all-time running totals (counters only): one row per
// metric and writer shard, whatever the number of days and merchants.
Status load_all_stats(Connection& conn, StatsTotals& into);

}  // namespace paygate::store
