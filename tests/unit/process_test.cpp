// A deployment's processes: each API process's share of a rate limit, the
// buckets that keep a share while the number of processes changes, which
// processes are live, and the heartbeat settings.
#include "core/process.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "config/config.h"
#include "core/rate_limiter.h"

namespace paygate {
namespace {

// ---- share_of ----

TEST(ShareOf, OneProcessKeepsTheWholeBudget) {
  const RateLimit share = share_of(RateLimit{100, 200}, 1);
  EXPECT_DOUBLE_EQ(share.rate, 100);
  EXPECT_DOUBLE_EQ(share.burst, 200);
}

TEST(ShareOf, NProcessesEachKeepOneNth) {
  const RateLimit share = share_of(RateLimit{90, 30}, 3);
  EXPECT_DOUBLE_EQ(share.rate, 30);
  EXPECT_DOUBLE_EQ(share.burst, 10);
  const RateLimit quarter = share_of(RateLimit{100, 200}, 4);
  EXPECT_DOUBLE_EQ(quarter.rate, 25);
  EXPECT_DOUBLE_EQ(quarter.burst, 50);
}

TEST(ShareOf, BurstShareIsAtLeastOneToken) {
  // 20/min,burst=20 over 30 processes: each may still admit one.
  const RateLimit share = share_of(RateLimit{20.0 / 60, 20}, 30);
  EXPECT_DOUBLE_EQ(share.burst, 1);
  EXPECT_DOUBLE_EQ(share.rate, 20.0 / 60 / 30);
}

TEST(ShareOf, NoProcessCountsAsOne) {
  for (int n : {0, -3}) {
    const RateLimit share = share_of(RateLimit{10, 20}, n);
    EXPECT_DOUBLE_EQ(share.rate, 10) << n;
    EXPECT_DOUBLE_EQ(share.burst, 20) << n;
  }
}

// ---- RateLimiter with a share ----

// What n processes admit together when a key's requests are spread over them
// round-robin at one instant: at most the budget's burst.
int admitted_round_robin(RateLimit budget, int processes, int requests) {
  std::vector<std::unique_ptr<RateLimiter>> limiters;
  for (int i = 0; i < processes; ++i) limiters.push_back(std::make_unique<RateLimiter>(budget));
  int allowed = 0;
  for (int r = 0; r < requests; ++r) {
    allowed += limiters[static_cast<std::size_t>(r % processes)]->take("k", 0, processes).allowed;
  }
  return allowed;
}

TEST(RateLimiterShare, ProcessesTogetherAdmitTheBudget) {
  EXPECT_EQ(admitted_round_robin(RateLimit{1, 30}, 1, 100), 30);
  EXPECT_EQ(admitted_round_robin(RateLimit{1, 30}, 3, 100), 30);
  EXPECT_EQ(admitted_round_robin(RateLimit{1, 200}, 4, 1000), 200);
  // A burst that does not divide evenly: each keeps floor(burst/N) whole tokens.
  EXPECT_EQ(admitted_round_robin(RateLimit{1, 20}, 3, 100), 18);
}

TEST(RateLimiterShare, RefillsAtTheShareOfTheRate) {
  RateLimiter limiter(RateLimit{30, 30});  // a third: 10/s, burst 10
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(limiter.take("k", 0, 3).allowed) << i;
  EXPECT_FALSE(limiter.take("k", 0, 3).allowed);
  EXPECT_FALSE(limiter.take("k", 50, 3).allowed);  // 0.5 tokens
  EXPECT_TRUE(limiter.take("k", 150, 3).allowed);  // 1.5 tokens after 150 ms
  EXPECT_FALSE(limiter.take("k", 150, 3).allowed);
}

TEST(RateLimiterShare, HeadersSpeakOfTheDeploymentsBudget) {
  RateLimiter limiter(RateLimit{3, 30});   // a third: 1/s, burst 10
  const auto d = limiter.take("k", 0, 3);  // 10 tokens here, 9 left
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.limit, 30);
  EXPECT_EQ(d.remaining, 27);  // 9 here, as many in each of the others
  for (int i = 0; i < 9; ++i) (void)limiter.take("k", 0, 3);
  const auto refused = limiter.take("k", 0, 3);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.retry_after_s, 1);  // a token a second here
  EXPECT_EQ(refused.reset_s, 10);       // 10 tokens at 1/s
}

TEST(RateLimiterShare, AShareThatShrinksCutsTheBucketDown) {
  RateLimiter limiter(RateLimit{1, 30});
  EXPECT_TRUE(limiter.take("k", 0, 1).allowed);  // 29 left, alone
  // Two more processes joined: this one may now hold 10 at most.
  int allowed = 0;
  for (int i = 0; i < 30; ++i) allowed += limiter.take("k", 0, 3).allowed;
  EXPECT_EQ(allowed, 10);
}

TEST(RateLimiterShare, AShareThatGrowsRefillsUpToTheNewBurst) {
  RateLimiter limiter(RateLimit{10, 30});
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(limiter.take("k", 0, 3).allowed);
  EXPECT_FALSE(limiter.take("k", 0, 3).allowed);
  // The others died: alone now, the bucket refills at 10/s up to 30.
  int allowed = 0;
  for (int i = 0; i < 40; ++i) allowed += limiter.take("k", 10'000, 1).allowed;
  EXPECT_EQ(allowed, 30);
}

TEST(RateLimiterShare, PeekAndGiveBackUseTheShare) {
  RateLimiter limiter(RateLimit{1, 2});  // over 2 processes: one token each
  EXPECT_TRUE(limiter.peek("k", 0, 2).allowed);
  EXPECT_TRUE(limiter.take("k", 0, 2).allowed);
  EXPECT_FALSE(limiter.peek("k", 0, 2).allowed);
  limiter.give_back("k", 0, 2);
  limiter.give_back("k", 0, 2);  // never above the share
  EXPECT_TRUE(limiter.take("k", 0, 2).allowed);
  EXPECT_FALSE(limiter.take("k", 0, 2).allowed);
}

// ---- processes ----

ProcessStatus process(bool api, bool workers, Micros expires_at) {
  ProcessStatus p;
  p.info.api = api;
  p.info.workers = workers;
  p.expires_at = expires_at;
  return p;
}

TEST(Processes, RoleNames) {
  EXPECT_EQ(process_role(true, false), "api");
  EXPECT_EQ(process_role(false, true), "worker");
  EXPECT_EQ(process_role(true, true), "api+worker");
  EXPECT_EQ(process_role(false, false), "none");
}

TEST(Processes, LiveUntilItsExpiryPasses) {
  EXPECT_TRUE(is_live(1000, 999));
  EXPECT_FALSE(is_live(1000, 1000));
  EXPECT_FALSE(is_live(1000, 5000));
}

TEST(Processes, CountsLiveOnesByRole) {
  const std::vector<ProcessStatus> ps{process(true, false, 2000), process(true, false, 500),
                                      process(true, true, 2000), process(false, true, 2000),
                                      process(false, true, 10)};
  EXPECT_EQ(count_live(ps, 1000, true), 2);   // api, api+worker
  EXPECT_EQ(count_live(ps, 1000, false), 2);  // api+worker, worker
  EXPECT_EQ(count_live(ps, 3000, true), 0);
}

TEST(Processes, LimitSharersFromTheCount) {
  EXPECT_EQ(limit_sharers(3, 1, true), 3);
  EXPECT_EQ(limit_sharers(1, 3, true), 1);
  // Its own row not counted yet (a count of 0) still leaves this process.
  EXPECT_EQ(limit_sharers(0, 2, true), 1);
  // The database could not be asked: the last number holds.
  EXPECT_EQ(limit_sharers(std::nullopt, 4, true), 4);
  EXPECT_EQ(limit_sharers(std::nullopt, 0, true), 1);
}

TEST(Processes, NoSharingOnADatabaseOfOneProcess) {
  EXPECT_EQ(limit_sharers(3, 3, false), 1);
  EXPECT_EQ(limit_sharers(std::nullopt, 3, false), 1);
}

// ---- settings ----

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(HeartbeatSettings, DefaultsFlagsAndEnvironment) {
  auto d = load_config({}, env_of({}));
  ASSERT_TRUE(d) << d.error().description;
  EXPECT_EQ(d->heartbeat_ms, 2000);
  EXPECT_EQ(d->process_expiry_ms, 6000);
  auto e = load_config(
      {}, env_of({{"PAYGATE_HEARTBEAT_MS", "200"}, {"PAYGATE_PROCESS_EXPIRY_MS", "700"}}));
  ASSERT_TRUE(e) << e.error().description;
  EXPECT_EQ(e->heartbeat_ms, 200);
  EXPECT_EQ(e->process_expiry_ms, 700);
  auto f = load_config({{"heartbeat-ms", "100"}, {"process-expiry-ms", "300"}},
                       env_of({{"PAYGATE_HEARTBEAT_MS", "200"}}));
  ASSERT_TRUE(f) << f.error().description;
  EXPECT_EQ(f->heartbeat_ms, 100);
  EXPECT_EQ(f->process_expiry_ms, 300);
}

TEST(HeartbeatSettings, ExpiryMustOutlastTwoHeartbeats) {
  auto c = load_config(
      {}, env_of({{"PAYGATE_HEARTBEAT_MS", "1000"}, {"PAYGATE_PROCESS_EXPIRY_MS", "1500"}}));
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().description.find("PAYGATE_PROCESS_EXPIRY_MS"), std::string::npos);
  EXPECT_FALSE(load_config({}, env_of({{"PAYGATE_HEARTBEAT_MS", "0"}})));
}

}  // namespace
}  // namespace paygate
