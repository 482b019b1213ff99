#include "core/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <cstdio>
#include <cstdlib>

namespace paygate {

void random_bytes(std::span<std::uint8_t> out) {
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    std::fputs("fatal: the cryptographic random source failed\n", stderr);
    std::abort();
  }
}

std::string hex_encode(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0x0f];
  }
  return out;
}

namespace {

// SHA-256 fetched from OpenSSL's provider once: EVP_sha256() makes every
// digest look its implementation up again, which costs more than hashing an
// API secret. Never freed: it lives as long as the process. Should the fetch
// fail, the implicit lookup is the fallback.
const EVP_MD* sha256() {
  static const EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  return md != nullptr ? md : EVP_sha256();
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md.data(), &len, sha256(), nullptr);
  return hex_encode(std::span(md.data(), len));
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  // OpenSSL fails (and leaves len 0) when key and data are both null pointers,
  // which an empty std::string_view may be: point empty inputs at a real byte.
  static constexpr unsigned char kEmpty[1] = {0};
  const void* k = key.empty() ? kEmpty : static_cast<const void*>(key.data());
  const unsigned char* d =
      data.empty() ? kEmpty : reinterpret_cast<const unsigned char*>(data.data());
  HMAC(EVP_sha256(), k, static_cast<int>(key.size()), d, data.size(), md.data(), &len);
  return hex_encode(std::span(md.data(), len));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  const std::string hex = hmac_sha256_hex(key, data);
  std::string raw(hex.size() / 2, '\0');
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (std::size_t i = 0; i < raw.size(); ++i) {
    raw[i] = static_cast<char>(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
  }
  return raw;
}

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace paygate
