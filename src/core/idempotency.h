// Idempotency-Key: the first answer to a key is kept (in the same transaction
// as the work it did) and replayed to every retry; a different request under
// the same key is refused, and so is a retry while the first still runs. A
// unique key per merchant in the database makes this hold across servers.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/error.h"
#include "core/master_key.h"
#include "core/secret_box.h"
#include "store/database.h"

namespace paygate {

inline constexpr std::size_t kMaxIdempotencyKeyLength = 255;

struct IdempotencyKey {
  std::string merchant_id;
  std::string key;
  std::string fingerprint;
  // While the master key is being rotated: the fingerprint under the previous
  // one, which a key recorded before the rotation still carries.
  std::string previous_fingerprint;
};

struct IdempotencyClaim {
  enum class Outcome { owned, replay, mismatch, in_flight };
  Outcome outcome = Outcome::owned;
  int status = 0;    // replay: the first answer's status
  std::string body;  // replay: the first answer's body, byte for byte
  // owned: this holder's claim on the key. A request whose lock ran out can be
  // slow rather than dead; once the key is taken over, its token no longer
  // matches, and it can neither record an answer nor give the key up.
  Micros token = 0;
};

// 1-255 printable ASCII characters; a 400 naming the header otherwise.
Status validate_idempotency_key(std::string_view key);

// HMAC-SHA256, under the idempotency key derived from the master key, of the
// method, the concrete path and the body as canonical JSON (object keys
// sorted, no white space): key order and spacing do not matter. The card
// number is replaced by its keyed card fingerprint and the CVV left out
// (card.number / card.cvv, or card_number / cvv), so that what is stored
// gives no way to test guesses of either. A body that is not JSON counts as
// "not JSON", not as its bytes, which could hold the same card data.
std::string request_fingerprint(const DataKeys& keys, std::string_view method,
                                std::string_view path, std::string_view body);

class IdempotencyService {
 public:
  // box keys the request fingerprints and seals the recorded answers (one
  // may hold a secret, e.g. a new webhook endpoint's).
  IdempotencyService(store::Database& db, const SecretBox& box, Micros ttl, Micros lock_timeout)
      : db_(db), box_(box), ttl_(ttl), lock_timeout_(lock_timeout) {}

  // The key a request with this Idempotency-Key header value is recorded under.
  IdempotencyKey key_for(std::string_view merchant_id, std::string_view header,
                         std::string_view method, std::string_view path,
                         std::string_view body) const;

  // Takes the key for this request, or says why not (replay, mismatch, in flight).
  boost::asio::awaitable<Result<IdempotencyClaim>> claim(const IdempotencyKey& key);
  // Records the answer, inside the transaction of the work that produced it.
  // A 409 IDEMPOTENCY_ERROR (rolling the work back) when the key was taken
  // over since the claim that gave out token.
  Status record_in(store::Connection& conn, const IdempotencyKey& key, Micros token, int status,
                   std::string_view body) const;
  // Records an answer in a transaction of its own (a 4xx: no work was done).
  boost::asio::awaitable<Status> record(const IdempotencyKey& key, Micros token, int status,
                                        std::string body);
  // Gives the key up (our own fault, 5xx), so that a retry can succeed; a
  // key taken over since is left to its new holder.
  boost::asio::awaitable<Status> release(const IdempotencyKey& key, Micros token);
  // Deletes the keys past their retention.
  boost::asio::awaitable<Status> purge_expired();

 private:
  store::Database& db_;
  const SecretBox& box_;
  const Micros ttl_;
  const Micros lock_timeout_;
};

}  // namespace paygate
