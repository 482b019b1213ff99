// Thin wrappers over OpenSSL for the few primitives paygate needs.
#pragma once

#include <cstddef>
#include <cstdint>
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
// Compares without an early exit, so the time taken does not tell where they differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace paygate
