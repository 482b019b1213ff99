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
#include "store/database.h"

namespace paygate {

inline constexpr std::size_t kMaxIdempotencyKeyLength = 255;

struct IdempotencyKey {
  std::string merchant_id;
  std::string key;
  std::string fingerprint;
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

// SHA-256 over the method, the concrete path and the body as canonical JSON
// (object keys sorted, no white space): key order and spacing do not matter.
// A body that is not JSON is taken as its bytes.
std::string request_fingerprint(std::string_view method, std::string_view path,
                                std::string_view body);

class IdempotencyService {
 public:
  IdempotencyService(store::Database& db, Micros ttl, Micros lock_timeout)
      : db_(db), ttl_(ttl), lock_timeout_(lock_timeout) {}

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
  const Micros ttl_;
  const Micros lock_timeout_;
};

}  // namespace paygate
