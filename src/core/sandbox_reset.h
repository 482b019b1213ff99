// Test mode's clean slate: everything one merchant's integration made
// (orders, payments, refunds, events, webhook deliveries, idempotency keys,
// their jobs and stats), gone in one transaction; its webhook endpoints and
// credentials stay.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>

#include "core/error.h"
#include "core/merchant.h"
#include "store/database.h"

namespace paygate {

// How many rows of each kind a reset deleted.
struct ResetCounts {
  std::int64_t orders = 0;
  std::int64_t payments = 0;
  std::int64_t refunds = 0;
  std::int64_t events = 0;
  std::int64_t webhook_deliveries = 0;
  std::int64_t webhook_attempts = 0;
  std::int64_t idempotency_keys = 0;
  std::int64_t jobs = 0;
};

// Deletes the merchant's objects and nothing of any other merchant.
boost::asio::awaitable<Result<ResetCounts>> reset_merchant(store::Database& db,
                                                           const Merchant& merchant);

}  // namespace paygate
