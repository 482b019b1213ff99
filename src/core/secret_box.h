// Secrets that must be kept in the database in a form we can use again (the
// webhook signing secrets) are sealed with AES-256-GCM under the key derived
// from the master key. A sealed value reads "v1.<key id>.<base64 of nonce,
// ciphertext, tag>", so a rotation can tell which key sealed it.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"
#include "core/master_key.h"

namespace paygate {

class SecretBox {
 public:
  explicit SecretBox(KeyRing keys) : keys_(std::move(keys)) {}

  // `context` names what the value is and whose (e.g. "webhook secret <id>"):
  // a sealed value moved to another row or column no longer opens.
  std::string seal(std::string_view plaintext, std::string_view context) const;
  // The plaintext. A value that is not sealed at all (written before secrets
  // were sealed) is returned as it is; one sealed under a key we do not have,
  // or tampered with, is an internal error.
  Result<std::string> open(std::string_view stored, std::string_view context) const;
  // True when `stored` is sealed under the current key (nothing to redo).
  bool sealed_under_current(std::string_view stored) const;

  const KeyRing& keys() const { return keys_; }

 private:
  const KeyRing keys_;
};

// True when `stored` has the shape of a sealed value.
bool is_sealed(std::string_view stored);

}  // namespace paygate
