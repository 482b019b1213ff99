#include "store/settings_repository.h"

namespace paygate::store {

namespace {
constexpr Sql kInsert{"INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT DO NOTHING"};
constexpr Sql kUpdate{"UPDATE settings SET value = $2 WHERE name = $1"};
constexpr Sql kSelect{"SELECT value FROM settings WHERE name = $1"};
}  // namespace

Result<std::string> get_or_create_setting(Connection& conn, std::string_view name,
                                          std::string_view value) {
  const Param insert[] = {name, value};
  if (auto r = conn.execute(kInsert, insert); !r) return fail(r.error());
  std::string stored;
  const Param select[] = {name};
  auto r = conn.execute(kSelect, select, [&](const Row& row) { stored = row.string(0); });
  if (!r) return fail(r.error());
  return stored;
}

Status set_setting(Connection& conn, std::string_view name, std::string_view value) {
  const Param params[] = {name, value};
  if (auto r = conn.execute(kInsert, params); !r) return fail(r.error());
  return to_status(conn.execute(kUpdate, params));
}

}  // namespace paygate::store
