// A merchant: who owns orders and payments, identified by an API key and
// proven by an API secret that is kept as a hash (to check it) and sealed by
// the master key (to sign the checkout's results with it).
#pragma once

#include <string>

#include "core/clock.h"

namespace paygate {

struct Merchant {
  std::string id;
  std::string name;
  std::string email;
  std::string api_key;
  std::string secret_hash;  // sha256_hex of the secret
  Micros created_at = 0;
  // Whether a sealed copy of the secret is kept: not yet for a merchant made
  // before they were, until it next authenticates.
  bool secret_sealed = false;
};

// The demo merchant that test mode creates in an empty database; clients of
// this API already use these credentials.
inline constexpr std::string_view kDemoMerchantId = "mrc_testmerchant0001";
inline constexpr std::string_view kDemoMerchantName = "Test Merchant";
inline constexpr std::string_view kDemoMerchantEmail = "test@example.com";
inline constexpr std::string_view kDemoApiKey = "key_test_abc123";
inline constexpr std::string_view kDemoApiSecret = "secret_test_xyz789";

}  // namespace paygate
