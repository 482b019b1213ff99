#include "store/merchant_repository.h"

#include "core/crypto.h"

namespace paygate::store {

namespace {

#define PAYGATE_MERCHANT_COLUMNS                       \
  "id, name, email, api_key, secret_hash, created_at," \
  " CASE WHEN secret_sealed IS NULL THEN 0 ELSE 1 END"

constexpr Sql kInsert{
    "INSERT INTO merchants (id, name, email, api_key, secret_hash, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $6)"};
constexpr Sql kInsertIfNone{
    "INSERT INTO merchants (id, name, email, api_key, secret_hash, created_at, updated_at)"
    " SELECT $1, $2, $3, $4, $5, $6, $6 WHERE NOT EXISTS (SELECT 1 FROM merchants)"};
constexpr Sql kByKey{"SELECT " PAYGATE_MERCHANT_COLUMNS
                     " FROM merchants WHERE api_key = $1 AND disabled_at IS NULL"};
constexpr Sql kDisable{
    "UPDATE merchants SET disabled_at = $2, updated_at = $2 WHERE id = $1 AND disabled_at IS NULL"};
constexpr Sql kEnable{
    "UPDATE merchants SET disabled_at = NULL, updated_at = $2 WHERE id = $1"
    " AND disabled_at IS NOT NULL"};
constexpr Sql kById{"SELECT " PAYGATE_MERCHANT_COLUMNS " FROM merchants WHERE id = $1"};
constexpr Sql kList{"SELECT " PAYGATE_MERCHANT_COLUMNS " FROM merchants ORDER BY created_at, id"};
// updated_at is left alone: the merchant did not change, only how its secret is kept.
constexpr Sql kSeal{
    "UPDATE merchants SET secret_sealed = $3 WHERE id = $1 AND secret_hash = $2"
    " AND secret_sealed IS NULL"};
constexpr Sql kSealed{"SELECT secret_sealed FROM merchants WHERE id = $1"};
constexpr Sql kListSealed{
    "SELECT id, secret_sealed FROM merchants WHERE secret_sealed IS NOT NULL"};
constexpr Sql kReplaceSealed{
    "UPDATE merchants SET secret_sealed = $3 WHERE id = $1 AND secret_sealed = $2"};

#undef PAYGATE_MERCHANT_COLUMNS

Merchant from_row(const Row& r) {
  Merchant m;
  m.id = r.string(0);
  m.name = r.string(1);
  m.email = r.string(2);
  m.api_key = r.string(3);
  m.secret_hash = r.string(4);
  m.created_at = r.int64(5);
  m.secret_sealed = r.int64(6) != 0;
  return m;
}

// Bound to its merchant: a sealed secret copied to another row does not open.
std::string secret_context(std::string_view id) {
  return "merchant secret " + std::string(id);
}

}  // namespace

Status insert_merchant(Connection& conn, const Merchant& m) {
  const Param params[] = {m.id, m.name, m.email, m.api_key, m.secret_hash, m.created_at};
  return to_status(conn.execute(kInsert, params));
}

Result<bool> insert_merchant_if_none(Connection& conn, const Merchant& m) {
  const Param params[] = {m.id, m.name, m.email, m.api_key, m.secret_hash, m.created_at};
  auto r = conn.execute(kInsertIfNone, params);
  if (!r) return fail(r.error());
  return *r > 0;
}

Result<std::optional<Merchant>> find_merchant_by_key(Connection& conn, std::string_view api_key) {
  const Param params[] = {api_key};
  return query_one(conn, kByKey, params, from_row);
}

Result<std::optional<Merchant>> find_merchant_by_id(Connection& conn, std::string_view id) {
  const Param params[] = {id};
  return query_one(conn, kById, params, from_row);
}

Result<std::vector<Merchant>> list_merchants(Connection& conn) {
  return query_all(conn, kList, {}, from_row);
}

Result<bool> set_merchant_disabled(Connection& conn, std::string_view id, bool disabled,
                                   Micros now) {
  const Param params[] = {id, now};
  auto r = conn.execute(disabled ? kDisable : kEnable, params);
  if (!r) return fail(r.error());
  return *r > 0;
}

Result<bool> seal_merchant_secret(Connection& conn, const SecretBox& box, std::string_view id,
                                  std::string_view secret) {
  const std::string hash = sha256_hex(secret);
  const std::string sealed = box.seal(secret, secret_context(id));
  const Param params[] = {id, hash, sealed};
  auto r = conn.execute(kSeal, params);
  if (!r) return fail(r.error());
  return *r > 0;
}

Result<std::optional<std::string>> find_merchant_secret(Connection& conn, const SecretBox& box,
                                                        std::string_view id) {
  const Param params[] = {id};
  auto stored = query_one(conn, kSealed, params, [](const Row& r) { return r.optional_string(0); });
  if (!stored) return fail(stored.error());
  if (!*stored || !**stored) return std::optional<std::string>();
  auto secret = box.open(***stored, secret_context(id));
  if (!secret) return fail(secret.error());
  return std::optional<std::string>(std::move(*secret));
}

Result<std::int64_t> reseal_merchant_secrets(Connection& conn, const SecretBox& box) {
  std::vector<std::pair<std::string, std::string>> rows;
  auto r = conn.execute(kListSealed, {},
                        [&](const Row& row) { rows.emplace_back(row.string(0), row.string(1)); });
  if (!r) return fail(r.error());
  std::int64_t resealed = 0;
  for (const auto& [id, stored] : rows) {
    if (box.sealed_under_current(stored)) continue;
    auto secret = box.open(stored, secret_context(id));
    if (!secret) return fail(secret.error());
    const std::string sealed = box.seal(*secret, secret_context(id));
    const Param params[] = {id, stored, sealed};
    auto updated = conn.execute(kReplaceSealed, params);
    if (!updated) return fail(updated.error());
    resealed += *updated;
  }
  return resealed;
}

}  // namespace paygate::store
