// Thin wrappers over OpenSSL for the few primitives paygate needs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace paygate {

// Fills out from the cryptographic random source; aborts if it cannot, since
// nothing that needs unguessable values may go on without them.
void random_bytes(std::span<std::uint8_t> out);

std::string hex_encode(std::span<const std::uint8_t> bytes);
// Lower-case hex SHA-256 of data.
std::string sha256_hex(std::string_view data);
// Lower-case hex HMAC-SHA256 of data under key.
std::string hmac_sha256_hex(std::string_view key, std::string_view data);
// Raw 32-byte HMAC-SHA256 of data under key.
std::string hmac_sha256(std::string_view key, std::string_view data);
// Standard base64 (with padding) of bytes.
std::string base64_encode(std::string_view bytes);
// Standard base64 decoded; nothing when text is not valid base64.
std::optional<std::string> base64_decode(std::string_view text);
// HKDF-SHA256 (RFC 5869): `length` bytes of key material for one purpose
// (`info`) from a secret key.
std::string hkdf_sha256(std::string_view key, std::string_view salt, std::string_view info,
                        std::size_t length);
// AES-256-GCM under a 32-byte key: a fresh 12-byte nonce, then the ciphertext,
// then the 16-byte tag. `aad` is authenticated, not encrypted: the same aad
// must be given to open it.
std::string aes256gcm_seal(std::string_view key, std::string_view plaintext, std::string_view aad);
// The plaintext, or nothing when the key, the aad or the bytes are not the ones sealed.
std::optional<std::string> aes256gcm_open(std::string_view key, std::string_view sealed,
                                          std::string_view aad);
// Compares without an early exit, so the time taken does not tell where they differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace paygate
