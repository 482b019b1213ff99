// Token buckets, their settings, and the client address they count against.
#include "core/rate_limiter.h"

#include <gtest/gtest.h>

#include <string>

#include "config/config.h"
#include "config/trusted_proxies.h"
#include "http/request.h"

namespace paygate {
namespace {

// ---- parse_rate_limit ----

TEST(ParseRateLimit, RatePerSecondWithBurst) {
  auto r = parse_rate_limit("100/s,burst=200");
  ASSERT_TRUE(r) << r.error().description;
  ASSERT_TRUE(r->has_value());
  EXPECT_DOUBLE_EQ((*r)->rate, 100.0);
  EXPECT_DOUBLE_EQ((*r)->burst, 200.0);
}

TEST(ParseRateLimit, BurstDefaultsToTheCount) {
  auto r = parse_rate_limit("600/min");
  ASSERT_TRUE(r && r->has_value());
  EXPECT_DOUBLE_EQ((*r)->rate, 10.0);
  EXPECT_DOUBLE_EQ((*r)->burst, 600.0);
  auto h = parse_rate_limit("36/h,burst=3");
  ASSERT_TRUE(h && h->has_value());
  EXPECT_DOUBLE_EQ((*h)->rate, 0.01);
  EXPECT_DOUBLE_EQ((*h)->burst, 3.0);
}

TEST(ParseRateLimit, OffIsNoLimit) {
  for (auto text : {"off", "0"}) {
    auto r = parse_rate_limit(text);
    ASSERT_TRUE(r) << text;
    EXPECT_FALSE(r->has_value()) << text;
  }
}

TEST(ParseRateLimit, RejectsMalformed) {
  for (auto text : {"", "100", "100/", "/s", "-1/s", "1.5/s", "100/day", "100/s,",
                    "100/s,burst=", "100/s,burst=0", "100/s,burst=x", "100/s,bust=5",
                    "99999999999/s", "100/s,burst=200,x"}) {
    EXPECT_FALSE(parse_rate_limit(text)) << text;
  }
}

// ---- RateLimiter ----

TEST(RateLimiter, AllowsTheBurstThenRefuses) {
  RateLimiter limiter(RateLimit{1, 3});
  for (int i = 0; i < 3; ++i) {
    const auto d = limiter.take("k", 0);
    EXPECT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.limit, 3);
    EXPECT_EQ(d.remaining, 2 - i);
  }
  const auto refused = limiter.take("k", 0);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.retry_after_s, 1);
  EXPECT_EQ(refused.reset_s, 3);
}

TEST(RateLimiter, RefillsAtTheRate) {
  RateLimiter limiter(RateLimit{2, 2});
  EXPECT_TRUE(limiter.take("k", 0).allowed);
  EXPECT_TRUE(limiter.take("k", 0).allowed);
  EXPECT_FALSE(limiter.take("k", 0).allowed);
  EXPECT_FALSE(limiter.take("k", 400).allowed);  // 0.8 tokens
  EXPECT_TRUE(limiter.take("k", 500).allowed);   // 1 token
  EXPECT_FALSE(limiter.take("k", 500).allowed);
  // Never more than the burst, however long the pause.
  EXPECT_EQ(limiter.take("k", 1'000'000).remaining, 1);
}

TEST(RateLimiter, RetryAfterRoundsUpToWholeSeconds) {
  RateLimiter limiter(RateLimit{0.1, 1});  // one token per 10 s
  EXPECT_TRUE(limiter.take("k", 0).allowed);
  auto d = limiter.take("k", 2500);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_s, 8);  // 7.5 s to go
}

TEST(RateLimiter, KeysHaveTheirOwnBuckets) {
  RateLimiter limiter(RateLimit{1, 1});
  EXPECT_TRUE(limiter.take("a", 0).allowed);
  EXPECT_FALSE(limiter.take("a", 0).allowed);
  EXPECT_TRUE(limiter.take("b", 0).allowed);
}

TEST(RateLimiter, PeekTakesNothing) {
  RateLimiter limiter(RateLimit{1, 1});
  EXPECT_TRUE(limiter.peek("k", 0).allowed);
  EXPECT_TRUE(limiter.peek("k", 0).allowed);
  EXPECT_EQ(limiter.size(), 0u);  // peeking at an unknown key stores nothing
  EXPECT_TRUE(limiter.take("k", 0).allowed);
  EXPECT_FALSE(limiter.peek("k", 0).allowed);
}

TEST(RateLimiter, GiveBackReturnsAToken) {
  RateLimiter limiter(RateLimit{1, 1});
  EXPECT_TRUE(limiter.take("k", 0).allowed);
  limiter.give_back("k", 0);
  EXPECT_TRUE(limiter.take("k", 0).allowed);
  limiter.give_back("k", 0);
  limiter.give_back("k", 0);  // never above the burst
  EXPECT_TRUE(limiter.take("k", 0).allowed);
  EXPECT_FALSE(limiter.take("k", 0).allowed);
}

TEST(RateLimiter, StaysBoundedUnderManyKeys) {
  RateLimiter limiter(RateLimit{1, 5}, 320);  // 10 per shard
  for (int i = 0; i < 100'000; ++i) (void)limiter.take("key" + std::to_string(i), i);
  EXPECT_LE(limiter.size(), 320u);
}

TEST(RateLimiter, EvictsIdleBucketsBeforeBusyOnes) {
  RateLimiter limiter(RateLimit{0.001, 1}, 128);  // 4 per shard
  EXPECT_TRUE(limiter.take("busy", 0).allowed);
  // Thousands of keys come and go, each full again (idle) when it goes.
  for (int i = 0; i < 10'000; ++i) {
    const std::string key = "idle" + std::to_string(i);
    (void)limiter.take(key, 0);
    limiter.give_back(key, 0);
  }
  EXPECT_LE(limiter.size(), 128u);
  // busy kept its empty bucket: forgetting it would have let it in again.
  EXPECT_FALSE(limiter.take("busy", 0).allowed);
}

TEST(RateLimiter, AClockStepBackRefillsNothing) {
  RateLimiter limiter(RateLimit{1, 1});
  EXPECT_TRUE(limiter.take("k", 10'000).allowed);
  EXPECT_FALSE(limiter.take("k", 0).allowed);
}

// ---- trusted proxies and the client address ----

TEST(TrustedProxies, ParsesAddressesAndNetworks) {
  auto p = TrustedProxies::parse("10.0.0.0/8, 127.0.0.1,::1 ,fd00::/8");
  ASSERT_TRUE(p) << p.error().description;
  EXPECT_TRUE(p->contains("10.1.2.3"));
  EXPECT_TRUE(p->contains("127.0.0.1"));
  EXPECT_FALSE(p->contains("127.0.0.2"));
  EXPECT_FALSE(p->contains("11.0.0.1"));
  EXPECT_TRUE(p->contains("::1"));
  EXPECT_TRUE(p->contains("fd12::5"));
  EXPECT_FALSE(p->contains("fe80::1"));
  EXPECT_FALSE(p->contains("not an address"));
  EXPECT_TRUE(p->contains("::ffff:10.9.9.9"));  // IPv4-mapped is the same host
}

TEST(TrustedProxies, EmptyTrustsNobody) {
  auto p = TrustedProxies::parse("");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->empty());
  EXPECT_FALSE(p->contains("127.0.0.1"));
}

TEST(TrustedProxies, RejectsMalformed) {
  for (auto text :
       {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x", "300.1.1.1", "proxy", "10.0.0.1,,"}) {
    EXPECT_FALSE(TrustedProxies::parse(text)) << text;
  }
}

TEST(ClientAddress, PeerWhenThePeerIsNotTrusted) {
  auto p = *TrustedProxies::parse("10.0.0.1");
  EXPECT_EQ(client_address("192.0.2.7", "203.0.113.9", p), "192.0.2.7");
  EXPECT_EQ(client_address("192.0.2.7", "", p), "192.0.2.7");
}

TEST(ClientAddress, RightMostUntrustedForwardedAddress) {
  auto p = *TrustedProxies::parse("10.0.0.0/8");
  EXPECT_EQ(client_address("10.0.0.1", "203.0.113.9", p), "203.0.113.9");
  // The client wrote 1.2.3.4 itself; the proxies appended the real address.
  EXPECT_EQ(client_address("10.0.0.1", "1.2.3.4, 203.0.113.9, 10.0.0.2", p), "203.0.113.9");
  // All trusted: the left-most.
  EXPECT_EQ(client_address("10.0.0.1", "10.0.0.3, 10.0.0.2", p), "10.0.0.3");
  // Garbage ends what a proxy wrote: the last trusted one seen.
  EXPECT_EQ(client_address("10.0.0.1", "junk, 10.0.0.2", p), "10.0.0.2");
  EXPECT_EQ(client_address("10.0.0.1", "junk", p), "10.0.0.1");
}

TEST(ClientAddress, BucketIsTheIPv4AddressOrTheIPv6Slash64) {
  EXPECT_EQ(address_bucket("203.0.113.9"), "203.0.113.9");
  EXPECT_EQ(address_bucket("::ffff:203.0.113.9"), "203.0.113.9");
  // Every address of one /64 is one client: rotating within it gains nothing.
  EXPECT_EQ(address_bucket("2001:db8:1:2::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(address_bucket("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
  EXPECT_NE(address_bucket("2001:db8:1:3::1"), address_bucket("2001:db8:1:2::1"));
  EXPECT_EQ(address_bucket("::1"), "::/64");
}

TEST(ClientAddress, EveryForwardedForLineIsOneList) {
  // A request's X-Forwarded-For lines as the rate limiter reads them: the
  // client's own line first, then the proxy's.
  http::Request req;
  req.headers = {{"X-Forwarded-For", "198.51.100.1"},
                 {"Host", "x"},
                 {"x-forwarded-for", "203.0.113.9, 10.0.0.2"}};
  EXPECT_EQ(req.header_list("X-Forwarded-For"), "198.51.100.1, 203.0.113.9, 10.0.0.2");
  auto p = *TrustedProxies::parse("10.0.0.0/8");
  EXPECT_EQ(client_address("10.0.0.1", req.header_list("X-Forwarded-For"), p), "203.0.113.9");
  EXPECT_EQ(req.header_list("X-Real-Ip"), "");
}

// ---- settings ----

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(RateLimitConfig, GenerousDefaultsOffInTestMode) {
  auto live = load_config({}, env_of({}));
  ASSERT_TRUE(live);
  ASSERT_TRUE(live->rate_limit && live->public_rate_limit && live->auth_failure_limit);
  EXPECT_DOUBLE_EQ(live->rate_limit->rate, 100);
  EXPECT_DOUBLE_EQ(live->rate_limit->burst, 200);
  auto test = load_config({{"test-mode", ""}}, env_of({}));
  ASSERT_TRUE(test);
  EXPECT_FALSE(test->rate_limit || test->public_rate_limit || test->auth_failure_limit);
}

TEST(RateLimitConfig, EnvironmentSetsAndDisablesLimits) {
  auto c = load_config({{"test-mode", ""}}, env_of({{"PAYGATE_RATE_LIMIT", "5/s,burst=7"},
                                                    {"PAYGATE_PUBLIC_RATE_LIMIT", "2/s"},
                                                    {"PAYGATE_TRUSTED_PROXIES", "10.0.0.0/8"}}));
  ASSERT_TRUE(c) << c.error().description;
  ASSERT_TRUE(c->rate_limit && c->public_rate_limit);
  EXPECT_DOUBLE_EQ(c->rate_limit->burst, 7);
  EXPECT_DOUBLE_EQ(c->public_rate_limit->rate, 2);
  EXPECT_TRUE(c->trusted_proxies.contains("10.2.3.4"));
  auto off = load_config({}, env_of({{"PAYGATE_RATE_LIMIT", "off"}}));
  ASSERT_TRUE(off);
  EXPECT_FALSE(off->rate_limit);
  EXPECT_TRUE(off->public_rate_limit);
}

TEST(RateLimitConfig, BadSettingsNameTheVariable) {
  auto c = load_config({}, env_of({{"PAYGATE_PUBLIC_RATE_LIMIT", "lots"}}));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().field, "PAYGATE_PUBLIC_RATE_LIMIT");
  auto p = load_config({}, env_of({{"PAYGATE_TRUSTED_PROXIES", "everyone"}}));
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().field, "PAYGATE_TRUSTED_PROXIES");
}

}  // namespace
}  // namespace paygate
