// SQL for test mode's reset: one merchant's objects deleted, children first.
#pragma once

#include <string_view>

#include "core/sandbox_reset.h"
#include "store/database.h"

namespace paygate::store {

// In the caller's transaction. Webhook endpoints, the merchant itself and the
// all-merchant totals of /metrics (counters never go down) are kept.
Result<ResetCounts> delete_merchant_data(Connection& conn, std::string_view merchant_id);

}  // namespace paygate::store
