// SQL for merchants.
#pragma once

#include <optional>
#include <vector>

#include "core/merchant.h"
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

}  // namespace paygate::store
