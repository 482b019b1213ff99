#include "core/master_key.h"

#include <array>
#include <cstdint>

#include "core/crypto.h"

namespace paygate {

namespace {

constexpr std::string_view kSalt = "paygate master key v1";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  const auto first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

std::string derive(std::string_view master_key, std::string_view purpose) {
  return hkdf_sha256(master_key, kSalt, purpose, 32);
}

}  // namespace

std::string new_master_key_text() {
  std::array<std::uint8_t, kMasterKeyBytes> bytes{};
  random_bytes(bytes);
  return hex_encode(bytes);
}

Result<std::string> parse_master_key(std::string_view text, std::string_view source) {
  const std::string_view hex = trim(text);
  const auto bad = [&] {
    return fail(Error::bad_request(std::string(source) +
                                       ": a master key is 64 hex digits (make one with "
                                       "'paygate keygen')",
                                   std::string(source)));
  };
  if (hex.size() != 2 * kMasterKeyBytes) return bad();
  std::string key(kMasterKeyBytes, '\0');
  for (std::size_t i = 0; i < kMasterKeyBytes; ++i) {
    const int hi = hex_value(hex[2 * i]);
    const int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return bad();
    key[i] = static_cast<char>(hi << 4 | lo);
  }
  return key;
}

DataKeys derive_data_keys(std::string_view master_key) {
  const std::string id = derive(master_key, "paygate key id");
  return DataKeys{derive(master_key, "paygate card fingerprint"),
                  derive(master_key, "paygate idempotency fingerprint"),
                  derive(master_key, "paygate encryption"),
                  hex_encode(std::span(reinterpret_cast<const std::uint8_t*>(id.data()), 4))};
}

}  // namespace paygate
