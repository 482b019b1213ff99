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
Result<std::optional<Merchant>> find_merchant_by_key(Connection& conn, std::string_view api_key);
Result<std::optional<Merchant>> find_merchant_by_id(Connection& conn, std::string_view id);
Result<std::vector<Merchant>> list_merchants(Connection& conn);

}  // namespace paygate::store
