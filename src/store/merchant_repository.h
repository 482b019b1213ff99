// SQL for merchants.
#pragma once

#include <optional>
#include <vector>

#include "core/merchant.h"
#include "core/secret_box.h"
#include "store/database.h"

namespace paygate::store {

Status insert_merchant(Connection& conn, const Merchant& m);
// Inserts m only when there is no merchant at all; true when it did.
Result<bool> insert_merchant_if_none(Connection& conn, const Merchant& m);
// Only a merchant whose key is not disabled.
Result<std::optional<Merchant>> find_merchant_by_key(Connection& conn, std::string_view api_key);
// Disables (or enables again) the merchant's key; true when that changed it.
Result<bool> set_merchant_disabled(Connection& conn, std::string_view id, bool disabled,
                                   Micros now);
Result<std::optional<Merchant>> find_merchant_by_id(Connection& conn, std::string_view id);
Result<std::vector<Merchant>> list_merchants(Connection& conn);

// The merchant's API secret is also kept sealed by box (core/secret_box.h),
// bound to the merchant, for what must be signed with it (the checkout's
// razorpay_signature). Seals `secret` only where the row has none yet and
// `secret` is the one its hash is of; true when it wrote.
Result<bool> seal_merchant_secret(Connection& conn, const SecretBox& box, std::string_view id,
                                  std::string_view secret);
// The merchant's secret opened, or nullopt when no sealed copy is kept.
Result<std::optional<std::string>> find_merchant_secret(Connection& conn, const SecretBox& box,
                                                        std::string_view id);
// Seals every kept secret under box's current key where it is not already (a
// rotation of the master key); how many rows it rewrote.
Result<std::int64_t> reseal_merchant_secrets(Connection& conn, const SecretBox& box);

}  // namespace paygate::store
