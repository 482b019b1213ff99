// Token buckets keyed by a string (an API key, a client address). Pure logic:
// the caller passes the time, so tests need no clock. Used from every I/O
// thread at once, so the map is split into shards, each with its own short
// lock, and it is bounded: idle buckets are evicted first when a shard is
// full, then the least recently used one.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/error.h"

namespace paygate {

// `rate` tokens per second, at most `burst` saved up. A bucket starts full.
struct RateLimit {
  double rate = 100;
  double burst = 200;
};

// One process's share of a deployment-wide budget kept by `processes` API
// processes that each count only the requests they see: rate/N and burst/N.
// The burst share is at least one token, or a process could never admit a
// request (so with more processes than the burst, the deployment admits up
// to one per process). Fewer than one process counts as one.
RateLimit share_of(RateLimit budget, int processes);

// "100/s,burst=200", "6000/min", "5/h,burst=10"; "off" or "0" is no limit
// (nullopt). Without burst=, the burst is the count before the slash.
Result<std::optional<RateLimit>> parse_rate_limit(std::string_view text);

// What one request learns from its bucket, as the X-RateLimit-* headers say
// it, in terms of the deployment's budget: limit is the budget's burst and
// remaining this process's tokens times the number of processes (what is left
// when requests are spread evenly), so that clients see the documented budget
// however many processes share it.
struct RateDecision {
  bool allowed = true;
  long long limit = 0;          // the burst: what a full bucket holds
  long long remaining = 0;      // whole tokens left after this request
  long long reset_s = 0;        // seconds until the bucket is full again
  long long retry_after_s = 0;  // when refused: seconds until a token is there
};

class RateLimiter {
 public:
  // limit is the deployment's budget; each call says how many API processes
  // share it right now (processes), and the buckets hold this process's share
  // (share_of). A bucket above a share that shrank is cut down to it; one
  // below a share that grew refills up to it at the new rate.
  explicit RateLimiter(RateLimit limit, std::size_t max_keys = 100'000);

  // Takes a token from key's bucket if it has one.
  RateDecision take(std::string_view key, std::int64_t now_ms, int processes = 1);
  // Whether key's bucket is empty right now, without taking anything; an
  // unknown key is not.
  RateDecision peek(std::string_view key, std::int64_t now_ms, int processes = 1);
  // Returns a token taken by take() (the request turned out not to count).
  void give_back(std::string_view key, std::int64_t now_ms, int processes = 1);

  std::size_t size() const;
  const RateLimit& limit() const { return limit_; }

 private:
  struct Bucket {
    double tokens;
    std::int64_t updated_ms;  // when tokens was last brought up to date
    std::int64_t used_ms;     // when a request last took a token, for LRU eviction
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, Bucket> buckets;
  };
  static constexpr std::size_t kShards = 32;

  Shard& shard_for(std::string_view key);
  // The bucket refilled up to now_ms, inserted full (evicting if need be) when new.
  Bucket& bucket(Shard& shard, std::string_view key, std::int64_t now_ms, const RateLimit& share);
  static void refill(Bucket& b, std::int64_t now_ms, const RateLimit& share);
  void evict(Shard& shard, std::int64_t now_ms, const RateLimit& share);
  RateDecision decide(const Bucket& b, bool allowed, const RateLimit& share, int processes) const;

  const RateLimit limit_;
  const std::size_t max_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace paygate
