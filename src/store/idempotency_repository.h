// SQL for idempotency keys.
#pragma once

#include <optional>
#include <string>

#include "core/clock.h"
#include "store/database.h"

namespace paygate::store {

struct StoredIdempotencyKey {
  std::string fingerprint;
  bool done = false;
  std::int64_t response_status = 0;
  std::string response_body;
  Micros locked_until = 0;
  Micros expires_at = 0;
};

// Inserts the key as running; false when the merchant already has it.
Result<bool> insert_idempotency_key(Connection& conn, std::string_view merchant_id,
                                    std::string_view key, std::string_view fingerprint,
                                    Micros locked_until, Micros now, Micros expires_at);
Result<std::optional<StoredIdempotencyKey>> find_idempotency_key(Connection& conn,
                                                                 std::string_view merchant_id,
                                                                 std::string_view key);
// Starts the key afresh (expired, or its holder died): running, no answer.
// Only if the row is still `read` (else Error::conflict): two requests that
// both found the holder dead cannot both take the key over.
Status restart_idempotency_key(Connection& conn, std::string_view merchant_id, std::string_view key,
                               const StoredIdempotencyKey& read, std::string_view fingerprint,
                               Micros locked_until, Micros now, Micros expires_at);
// Stores the answer of the holder whose claim wrote locked_until == token;
// false (nothing written) when the key is no longer that holder's.
Result<bool> complete_idempotency_key(Connection& conn, std::string_view merchant_id,
                                      std::string_view key, Micros token, std::int64_t status,
                                      std::string_view body);
// Deletes the key while it is still running under token.
Status delete_idempotency_key(Connection& conn, std::string_view merchant_id, std::string_view key,
                              Micros token);
// Deletes up to `most` keys that expired before now (the oldest first); how many.
Result<std::int64_t> delete_expired_idempotency_keys(Connection& conn, Micros now,
                                                     std::int64_t most);

}  // namespace paygate::store
