// The master key: 32 random bytes that never enter the database. Every key
// that protects data at rest is derived from it here, one per purpose, so a
// copy of the database alone recovers none of what they protect.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace paygate {

inline constexpr std::size_t kMasterKeyBytes = 32;

// What `paygate keygen` prints: 64 lower-case hex digits of fresh randomness.
std::string new_master_key_text();

// The key's 32 bytes from its text (64 hex digits; surrounding white space,
// such as a file's final newline, is ignored). A 400 naming `source` otherwise.
Result<std::string> parse_master_key(std::string_view text, std::string_view source);

// The keys derived from one master key (HKDF-SHA256, one `info` per purpose).
struct DataKeys {
  std::string card_fingerprint;  // HMAC key of card fingerprints
  std::string idempotency;       // HMAC key of Idempotency-Key request fingerprints
  std::string encryption;        // AES-256-GCM key of secrets at rest
  // Names the master key (not secret: a one-way value of 8 hex digits), so a
  // database can tell which key it was used with, and a sealed value which
  // key sealed it.
  std::string id;
};
DataKeys derive_data_keys(std::string_view master_key);

// The current keys, and while a rotation is under way the previous ones.
struct KeyRing {
  DataKeys current;
  std::optional<DataKeys> previous;
};

}  // namespace paygate
