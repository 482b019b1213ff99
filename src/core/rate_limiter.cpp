#include "core/rate_limiter.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>

namespace paygate {

namespace {

Error bad_limit(std::string_view text) {
  return Error::bad_request("rate limit \"" + std::string(text.substr(0, 64)) +
                            "\" must look like 100/s,burst=200 (units s, min, h) or off");
}

bool parse_positive(std::string_view s, double& out) {
  long long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0 || v > 1'000'000'000) return false;
  out = static_cast<double>(v);
  return true;
}

}  // namespace

Result<std::optional<RateLimit>> parse_rate_limit(std::string_view text) {
  if (text == "off" || text == "0") return std::optional<RateLimit>();
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return fail(bad_limit(text));
  double count = 0;
  if (!parse_positive(text.substr(0, slash), count)) return fail(bad_limit(text));
  std::string_view rest = text.substr(slash + 1);
  const auto comma = rest.find(',');
  const std::string_view unit = rest.substr(0, comma);
  double seconds = 0;
  if (unit == "s" || unit == "sec") {
    seconds = 1;
  } else if (unit == "m" || unit == "min") {
    seconds = 60;
  } else if (unit == "h" || unit == "hour") {
    seconds = 3600;
  } else {
    return fail(bad_limit(text));
  }
  RateLimit limit{count / seconds, count};
  if (comma != std::string_view::npos) {
    const std::string_view option = rest.substr(comma + 1);
    if (!option.starts_with("burst=") || !parse_positive(option.substr(6), limit.burst)) {
      return fail(bad_limit(text));
    }
  }
  return std::optional<RateLimit>(limit);
}

RateLimit share_of(RateLimit budget, int processes) {
  const double n = std::max(1, processes);
  return RateLimit{budget.rate / n, std::max(1.0, budget.burst / n)};
}

RateLimiter::RateLimiter(RateLimit limit, std::size_t max_keys)
    : limit_(limit), max_per_shard_(std::max<std::size_t>(1, max_keys / kShards)) {}

RateLimiter::Shard& RateLimiter::shard_for(std::string_view key) {
  return shards_[std::hash<std::string_view>{}(key) % kShards];
}

void RateLimiter::refill(Bucket& b, std::int64_t now_ms, const RateLimit& share) {
  // A share that shrank (another process joined) holds less at once.
  b.tokens = std::min(share.burst, b.tokens);
  if (now_ms <= b.updated_ms) return;  // a clock step back refills nothing
  const double elapsed_s = static_cast<double>(now_ms - b.updated_ms) / 1000.0;
  b.tokens = std::min(share.burst, b.tokens + elapsed_s * share.rate);
  b.updated_ms = now_ms;
}

void RateLimiter::evict(Shard& shard, std::int64_t now_ms, const RateLimit& share) {
  // Idle buckets (full again) carry no information: forgetting them changes
  // nothing. Only when every bucket is busy does the stalest one go.
  for (auto it = shard.buckets.begin(); it != shard.buckets.end();) {
    refill(it->second, now_ms, share);
    it = it->second.tokens >= share.burst ? shard.buckets.erase(it) : std::next(it);
  }
  if (shard.buckets.size() < max_per_shard_) return;
  auto oldest = std::min_element(
      shard.buckets.begin(), shard.buckets.end(),
      [](const auto& a, const auto& b) { return a.second.used_ms < b.second.used_ms; });
  shard.buckets.erase(oldest);
}

RateLimiter::Bucket& RateLimiter::bucket(Shard& shard, std::string_view key, std::int64_t now_ms,
                                         const RateLimit& share) {
  // unordered_map<std::string> has no heterogeneous find in g++ 12's C++23
  // mode without a transparent hash; one std::string per request is cheap.
  std::string k(key);
  if (auto it = shard.buckets.find(k); it != shard.buckets.end()) {
    refill(it->second, now_ms, share);
    return it->second;
  }
  if (shard.buckets.size() >= max_per_shard_) evict(shard, now_ms, share);
  return shard.buckets.emplace(std::move(k), Bucket{share.burst, now_ms, now_ms}).first->second;
}

RateDecision RateLimiter::decide(const Bucket& b, bool allowed, const RateLimit& share,
                                 int processes) const {
  RateDecision d;
  d.allowed = allowed;
  d.limit = static_cast<long long>(limit_.burst);
  // With one process this is the bucket's own count; with N, what the
  // deployment has left if requests are spread evenly (never above the budget).
  d.remaining = std::min(
      d.limit,
      static_cast<long long>(std::floor(b.tokens * static_cast<double>(std::max(1, processes)))));
  d.reset_s = static_cast<long long>(std::ceil((share.burst - b.tokens) / share.rate));
  if (!allowed) {
    d.retry_after_s =
        std::max(1LL, static_cast<long long>(std::ceil((1.0 - b.tokens) / share.rate)));
  }
  return d;
}

RateDecision RateLimiter::take(std::string_view key, std::int64_t now_ms, int processes) {
  const RateLimit share = share_of(limit_, processes);
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mutex);
  Bucket& b = bucket(shard, key, now_ms, share);
  b.used_ms = now_ms;
  if (b.tokens < 1.0) return decide(b, false, share, processes);
  b.tokens -= 1.0;
  return decide(b, true, share, processes);
}

RateDecision RateLimiter::peek(std::string_view key, std::int64_t now_ms, int processes) {
  const RateLimit share = share_of(limit_, processes);
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mutex);
  auto it = shard.buckets.find(std::string(key));
  if (it == shard.buckets.end()) {
    return decide(Bucket{share.burst, now_ms, now_ms}, true, share, processes);
  }
  refill(it->second, now_ms, share);
  return decide(it->second, it->second.tokens >= 1.0, share, processes);
}

void RateLimiter::give_back(std::string_view key, std::int64_t now_ms, int processes) {
  const RateLimit share = share_of(limit_, processes);
  Shard& shard = shard_for(key);
  std::lock_guard lock(shard.mutex);
  auto it = shard.buckets.find(std::string(key));
  if (it == shard.buckets.end()) return;
  refill(it->second, now_ms, share);
  it->second.tokens = std::min(share.burst, it->second.tokens + 1.0);
}

std::size_t RateLimiter::size() const {
  std::size_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock(s.mutex);
    n += s.buckets.size();
  }
  return n;
}

}  // namespace paygate
