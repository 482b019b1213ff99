#include "core/ids.h"

#include <array>
#include <cstdint>

#include "core/clock.h"
#include "core/crypto.h"

namespace paygate {

namespace {

constexpr std::string_view kAlphabet =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::size_t kTimeChars = 5;
// 2025-01-01T00:00:00Z: 62^5 seconds from here last until 2054.
constexpr std::int64_t kIdEpochSeconds = 1'735'689'600;

// Appends n random alphabet characters; rejection sampling keeps them uniform.
void append_random(std::string& out, std::size_t n) {
  std::array<std::uint8_t, 32> pool{};
  std::size_t used = pool.size();
  while (n > 0) {
    if (used == pool.size()) {
      random_bytes(pool);
      used = 0;
    }
    const std::uint8_t b = pool[used++];
    if (b >= 248) continue;  // 248 = 4 * 62
    out.push_back(kAlphabet[b % 62]);
    --n;
  }
}

}  // namespace

std::string random_alnum(std::size_t n) {
  std::string out;
  out.reserve(n);
  append_random(out, n);
  return out;
}

std::string new_id(std::string_view prefix) {
  std::string out;
  out.reserve(prefix.size() + kIdBodyLength);
  out.append(prefix);
  std::int64_t t = now_micros() / 1'000'000 - kIdEpochSeconds;
  if (t < 0) t = 0;
  char time_part[kTimeChars];
  for (int i = kTimeChars - 1; i >= 0; --i) {
    time_part[i] = kAlphabet[static_cast<std::size_t>(t % 62)];
    t /= 62;
  }
  out.append(time_part, kTimeChars);
  append_random(out, kIdBodyLength - kTimeChars);
  return out;
}

std::string new_uuid_v4() {
  std::array<std::uint8_t, 16> b{};
  random_bytes(b);
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);
  const std::string hex = hex_encode(b);
  return hex.substr(0, 8) + '-' + hex.substr(8, 4) + '-' + hex.substr(12, 4) + '-' +
         hex.substr(16, 4) + '-' + hex.substr(20, 12);
}

bool is_valid_id(std::string_view id, std::string_view prefix) {
  if (id.size() != prefix.size() + kIdBodyLength || !id.starts_with(prefix)) return false;
  for (char c : id.substr(prefix.size())) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum) return false;
  }
  return true;
}

}  // namespace paygate
