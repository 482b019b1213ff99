#include "store/merchant_repository.h"

namespace paygate::store {

namespace {

constexpr Sql kInsert{
    "INSERT INTO merchants (id, name, email, api_key, secret_hash, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $6)"};
constexpr Sql kInsertIfNone{
    "INSERT INTO merchants (id, name, email, api_key, secret_hash, created_at, updated_at)"
    " SELECT $1, $2, $3, $4, $5, $6, $6 WHERE NOT EXISTS (SELECT 1 FROM merchants)"};
constexpr Sql kByKey{
    "SELECT id, name, email, api_key, secret_hash, created_at FROM merchants WHERE api_key = $1"
    " AND disabled_at IS NULL"};
constexpr Sql kDisable{
    "UPDATE merchants SET disabled_at = $2, updated_at = $2 WHERE id = $1 AND disabled_at IS NULL"};
constexpr Sql kEnable{
    "UPDATE merchants SET disabled_at = NULL, updated_at = $2 WHERE id = $1"
    " AND disabled_at IS NOT NULL"};
constexpr Sql kById{
    "SELECT id, name, email, api_key, secret_hash, created_at FROM merchants WHERE id = $1"};
constexpr Sql kList{
    "SELECT id, name, email, api_key, secret_hash, created_at FROM merchants"
    " ORDER BY created_at, id"};

Merchant from_row(const Row& r) {
  return Merchant{r.string(0), r.string(1), r.string(2), r.string(3), r.string(4), r.int64(5)};
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

}  // namespace paygate::store
