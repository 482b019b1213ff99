#include "store/idempotency_repository.h"

namespace paygate::store {

namespace {

constexpr Sql kInsert{
    "INSERT INTO idempotency_keys (merchant_id, idem_key, fingerprint, state, locked_until,"
    " created_at, expires_at) VALUES ($1, $2, $3, 'running', $4, $5, $6) ON CONFLICT DO NOTHING"};
constexpr Sql kFind{
    "SELECT fingerprint, state, response_status, response_body, locked_until, expires_at"
    " FROM idempotency_keys WHERE merchant_id = $1 AND idem_key = $2"};
constexpr Sql kRestart{
    "UPDATE idempotency_keys SET fingerprint = $3, state = 'running', locked_until = $4,"
    " created_at = $5, expires_at = $6, response_status = NULL, response_body = NULL"
    " WHERE merchant_id = $1 AND idem_key = $2 AND state = $7 AND locked_until = $8"
    " AND expires_at = $9"};
constexpr Sql kComplete{
    "UPDATE idempotency_keys SET state = 'done', response_status = $4, response_body = $5"
    " WHERE merchant_id = $1 AND idem_key = $2 AND state = 'running' AND locked_until = $3"};
constexpr Sql kDelete{
    "DELETE FROM idempotency_keys"
    " WHERE merchant_id = $1 AND idem_key = $2 AND state = 'running' AND locked_until = $3"};
constexpr Sql kDeleteExpired{
    "DELETE FROM idempotency_keys WHERE (merchant_id, idem_key) IN"
    " (SELECT merchant_id, idem_key FROM idempotency_keys WHERE expires_at < $1"
    " ORDER BY expires_at LIMIT $2)"};

}  // namespace

Result<bool> insert_idempotency_key(Connection& conn, std::string_view merchant_id,
                                    std::string_view key, std::string_view fingerprint,
                                    Micros locked_until, Micros now, Micros expires_at) {
  const Param params[] = {merchant_id, key, fingerprint, locked_until, now, expires_at};
  auto r = conn.execute(kInsert, params);
  if (!r) return fail(r.error());
  return *r == 1;
}

Result<std::optional<StoredIdempotencyKey>> find_idempotency_key(Connection& conn,
                                                                 std::string_view merchant_id,
                                                                 std::string_view key) {
  std::optional<StoredIdempotencyKey> found;
  const Param params[] = {merchant_id, key};
  auto r = conn.execute(kFind, params, [&](const Row& row) {
    StoredIdempotencyKey k;
    k.fingerprint = row.string(0);
    k.done = row.text(1) == "done";
    k.response_status = row.is_null(2) ? 0 : row.int64(2);
    k.response_body = row.string(3);
    k.locked_until = row.int64(4);
    k.expires_at = row.int64(5);
    found = std::move(k);
  });
  if (!r) return fail(r.error());
  return found;
}

Status restart_idempotency_key(Connection& conn, std::string_view merchant_id, std::string_view key,
                               const StoredIdempotencyKey& read, std::string_view fingerprint,
                               Micros locked_until, Micros now, Micros expires_at) {
  const std::string_view read_state = read.done ? "done" : "running";
  const Param params[] = {merchant_id, key,        fingerprint,       locked_until,   now,
                          expires_at,  read_state, read.locked_until, read.expires_at};
  return expect_one_updated(conn.execute(kRestart, params), "the idempotency key");
}

Result<bool> complete_idempotency_key(Connection& conn, std::string_view merchant_id,
                                      std::string_view key, Micros token, std::int64_t status,
                                      std::string_view body) {
  const Param params[] = {merchant_id, key, token, status, body};
  auto r = conn.execute(kComplete, params);
  if (!r) return fail(r.error());
  return *r == 1;
}

Status delete_idempotency_key(Connection& conn, std::string_view merchant_id, std::string_view key,
                              Micros token) {
  const Param params[] = {merchant_id, key, token};
  return to_status(conn.execute(kDelete, params));
}

Result<std::int64_t> delete_expired_idempotency_keys(Connection& conn, Micros now,
                                                     std::int64_t most) {
  const Param params[] = {now, most};
  return conn.execute(kDeleteExpired, params);
}

}  // namespace paygate::store
