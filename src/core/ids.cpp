#include "core/ids.h"

#include <array>
#include <cstdint>
#include <random>

#include "core/clock.h"
#include "core/crypto.h"

namespace paygate {

namespace {

constexpr std::string_view kAlphabet =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
// An id's body is one base-62 number of kIdBodyLength digits, 62^16 (about
// 2^95.3) values: a clock times 2^64, plus 64 random bits. The clock gets what
// is left, kClockTicks values, and counts 10 ms ticks since the Unix epoch
// modulo kClockTicks: the ids made in the same 10 ms are neighbours in any
// index on them, so a batch of inserts lands on one or two pages of that index
// instead of one page per id. It wraps about every 299 days.
__extension__ using Uint128 = unsigned __int128;
constexpr Uint128 kBodyValues = [] {
  Uint128 v = 1;
  for (std::size_t i = 0; i < kIdBodyLength; ++i) v *= 62;
  return v;
}();
constexpr std::uint64_t kClockTicks = static_cast<std::uint64_t>(kBodyValues >> 64);
constexpr std::int64_t kMicrosPerTick = 10'000;

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

std::string new_request_id() {
  thread_local std::mt19937_64 generator = [] {
    std::array<std::uint8_t, 32> seed_bytes{};
    random_bytes(seed_bytes);
    std::seed_seq seed(seed_bytes.begin(), seed_bytes.end());
    return std::mt19937_64(seed);
  }();
  constexpr std::string_view kPrefix = "req_";
  constexpr std::size_t kChars = 16;
  std::string out;
  out.reserve(kPrefix.size() + kChars);
  out.append(kPrefix);
  // 62^10 < 2^64: ten characters from each draw (the slight bias of the modulo
  // does not matter for uniqueness).
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < kChars; ++i) {
    if (i % 10 == 0) bits = generator();
    out.push_back(kAlphabet[static_cast<std::size_t>(bits % 62)]);
    bits /= 62;
  }
  return out;
}

std::uint64_t id_clock(Micros at) {
  return static_cast<std::uint64_t>(at / kMicrosPerTick) % kClockTicks;
}

std::string new_id(std::string_view prefix) {
  std::array<std::uint8_t, 8> random{};
  random_bytes(random);
  Uint128 n = id_clock(now_micros());
  for (std::uint8_t b : random) n = (n << 8) | b;
  char body[kIdBodyLength];
  for (std::size_t i = kIdBodyLength; i-- > 0;) {
    body[i] = kAlphabet[static_cast<std::size_t>(n % 62)];
    n /= 62;
  }
  std::string out;
  out.reserve(prefix.size() + kIdBodyLength);
  out.append(prefix);
  out.append(body, kIdBodyLength);
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
