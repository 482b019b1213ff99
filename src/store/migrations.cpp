#include "store/migrations.h"

#include <set>
#include <string>

#include "core/clock.h"

namespace paygate::store {

namespace {

// Money is BIGINT minor units; time is BIGINT microseconds since the epoch,
// UTC. Both mean the same on SQLite and PostgreSQL.
constexpr Migration kMigrations[] = {
    {1, "merchants and orders", R"sql(
CREATE TABLE merchants (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  email       TEXT NOT NULL,
  api_key     TEXT NOT NULL UNIQUE,
  secret_hash TEXT NOT NULL,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL
);
CREATE TABLE orders (
  id          TEXT PRIMARY KEY,
  merchant_id TEXT NOT NULL REFERENCES merchants(id),
  amount      BIGINT NOT NULL CHECK (amount > 0),
  currency    TEXT NOT NULL,
  status      TEXT NOT NULL,
  receipt     TEXT,
  notes       TEXT NOT NULL,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL
);
CREATE INDEX orders_by_merchant_time ON orders (merchant_id, created_at DESC, id DESC);
CREATE TABLE settings (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql"},
};

constexpr Sql kCreateTable{
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"};
constexpr Sql kApplied{"SELECT version FROM schema_migrations"};
constexpr Sql kRecord{"INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)"};

}  // namespace

std::span<const Migration> all_migrations() { return kMigrations; }

Status apply_migrations(Connection& conn, Backend /*backend*/) {
  if (auto r = conn.execute(kCreateTable, {}); !r) return fail(r.error());
  std::set<std::int64_t> applied;
  auto r = conn.execute(kApplied, {}, [&](const Row& row) { applied.insert(row.int64(0)); });
  if (!r) return fail(r.error());
  for (const auto& m : kMigrations) {
    if (applied.contains(m.version)) continue;
    if (auto s = conn.execute_script(m.sql); !s) {
      Error e = s.error();
      e.description = "migration " + std::to_string(m.version) + " failed: " + e.description;
      return fail(std::move(e));
    }
    const Param params[] = {std::int64_t{m.version}, m.name, now_micros()};
    if (auto rec = conn.execute(kRecord, params); !rec) return fail(rec.error());
  }
  return {};
}

}  // namespace paygate::store
