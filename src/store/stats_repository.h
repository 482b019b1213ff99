// SQL for the running totals behind GET /admin/stats and /metrics.
#pragma once

#include <string_view>

#include "core/stats.h"
#include "store/database.h"

namespace paygate::store {

// Adds count and amount to a merchant's running total `metric` for the hour
// of created_at.
Status add_to_stats(Connection& conn, std::string_view merchant_id, Micros created_at,
                    std::string_view metric, std::int64_t count, std::int64_t amount);
// Adds one settled payment's processing time.
Status add_payment_latency(Connection& conn, std::string_view merchant_id, Micros created_at,
                           Micros latency);

// The running totals of whole hours [first_hour, last_hour] (hours since the epoch).
Status load_hourly_stats(Connection& conn, std::string_view merchant_id, std::int64_t first_hour,
                         std::int64_t last_hour, StatsTotals& into);
// The same totals counted from the objects created in [from, to].
Status load_raw_stats(Connection& conn, std::string_view merchant_id, Micros from, Micros to,
                      StatsTotals& into);
// Every merchant's running totals (counters only).
Status load_all_stats(Connection& conn, StatsTotals& into);

}  // namespace paygate::store
