// Versioned schema migrations, recorded in schema_migrations. Applying them
// again changes nothing.
#pragma once

#include <span>
#include <string_view>

#include "store/database.h"

namespace paygate::store {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;  // portable SQL, the same on every backend
};

std::span<const Migration> all_migrations();

// Runs on a connection inside a write transaction.
Status apply_migrations(Connection& conn, Backend backend);

}  // namespace paygate::store
