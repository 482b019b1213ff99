// Server-wide values kept in the database (the id of the master key in use).
#pragma once

#include <string>

#include "store/database.h"

namespace paygate::store {

// The value stored under name; stores `value` first when there is none, so
// every process of one database ends up with the same value.
Result<std::string> get_or_create_setting(Connection& conn, std::string_view name,
                                          std::string_view value);
// Stores value under name, replacing any value there.
Status set_setting(Connection& conn, std::string_view name, std::string_view value);

}  // namespace paygate::store
