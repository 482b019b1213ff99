#include "core/ids.h"

#include <gtest/gtest.h>

#include <array>
#include <cctype>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "core/clock.h"

namespace paygate {
namespace {

constexpr std::string_view kAlphabet =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

bool all_alnum(std::string_view s) {
  for (char c : s) {
    if (kAlphabet.find(c) == std::string_view::npos) return false;
  }
  return true;
}

constexpr std::array<std::string_view, 5> kPrefixes = {kOrderPrefix, kPaymentPrefix, kRefundPrefix,
                                                       kMerchantPrefix, kEventPrefix};

TEST(Ids, PrefixesAreTheContractOnes) {
  EXPECT_EQ(kOrderPrefix, "order_");
  EXPECT_EQ(kPaymentPrefix, "pay_");
  EXPECT_EQ(kRefundPrefix, "refund_");
  EXPECT_EQ(kMerchantPrefix, "mrc_");
  EXPECT_EQ(kEventPrefix, "evt_");
  EXPECT_EQ(kIdBodyLength, 16u);
}

TEST(Ids, NewIdIsPrefixAndSixteenAlnumCharacters) {
  for (auto prefix : kPrefixes) {
    for (int i = 0; i < 100; ++i) {
      const std::string id = new_id(prefix);
      ASSERT_EQ(id.size(), prefix.size() + 16) << id;
      EXPECT_TRUE(id.starts_with(prefix)) << id;
      EXPECT_TRUE(all_alnum(std::string_view(id).substr(prefix.size()))) << id;
      EXPECT_TRUE(is_valid_id(id, prefix)) << id;
    }
  }
}

TEST(Ids, NewIdsAreUniqueOverOneHundredThousand) {
  constexpr int kCount = 100'000;
  std::unordered_set<std::string> seen;
  seen.reserve(kCount);
  for (int i = 0; i < kCount; ++i) seen.insert(new_id(kOrderPrefix));
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kCount));
}

__extension__ using Uint128 = unsigned __int128;

// An id's body read back as the base-62 number it is.
Uint128 body_value(std::string_view id, std::string_view prefix) {
  Uint128 n = 0;
  for (char c : id.substr(prefix.size())) n = n * 62 + kAlphabet.find(c);
  return n;
}

std::uint64_t clock_part(std::string_view id, std::string_view prefix) {
  return static_cast<std::uint64_t>(body_value(id, prefix) >> 64);
}

std::uint64_t random_part(std::string_view id, std::string_view prefix) {
  return static_cast<std::uint64_t>(body_value(id, prefix));
}

TEST(Ids, ClockCountsTenMillisecondTicksAndWrapsAfterAboutTenMonths) {
  EXPECT_EQ(id_clock(0), 0u);
  EXPECT_EQ(id_clock(9'999), 0u);
  EXPECT_EQ(id_clock(10'000), 1u);
  // What 16 base-62 digits leave beside 64 random bits: floor(62^16 / 2^64).
  constexpr std::uint64_t kTicks = 2'584'326'074;
  EXPECT_EQ(id_clock(std::int64_t{kTicks - 1} * 10'000), kTicks - 1);
  EXPECT_EQ(id_clock(std::int64_t{kTicks} * 10'000), 0u);
  EXPECT_EQ(kTicks / 100 / 86'400, 299u);  // whole days in a cycle
}

TEST(Ids, LeadingPartIsTheClockOfCreation) {
  const std::uint64_t before = id_clock(now_micros());
  const std::string id = new_id(kPaymentPrefix);
  const std::uint64_t after = id_clock(now_micros());
  if (after < before) GTEST_SKIP() << "the clock wrapped during the test";
  EXPECT_GE(clock_part(id, kPaymentPrefix), before);
  EXPECT_LE(clock_part(id, kPaymentPrefix), after);
}

// What keeps index inserts local: an id sorts after every id of an earlier
// tick, so the ids of one tick are neighbours in an index.
TEST(Ids, IdsOfLaterTicksSortAfter) {
  const std::string first = new_id(kOrderPrefix);
  std::string later = new_id(kOrderPrefix);
  while (clock_part(later, kOrderPrefix) == clock_part(first, kOrderPrefix)) {
    later = new_id(kOrderPrefix);
  }
  ASSERT_GT(clock_part(later, kOrderPrefix), clock_part(first, kOrderPrefix)) << "wrapped";
  EXPECT_LT(first, later);
  for (int i = 0; i < 1000; ++i) {
    const std::string next = new_id(kOrderPrefix);
    if (clock_part(next, kOrderPrefix) > clock_part(later, kOrderPrefix)) {
      EXPECT_LT(later, next);
    }
    later = next;
  }
}

TEST(Ids, SixtyFourBitsAreRandom) {
  std::set<std::uint64_t> seen;
  std::array<int, 64> ones{};
  constexpr int kCount = 4000;
  for (int i = 0; i < kCount; ++i) {
    const std::uint64_t r = random_part(new_id(kOrderPrefix), kOrderPrefix);
    seen.insert(r);
    for (int bit = 0; bit < 64; ++bit) ones[static_cast<std::size_t>(bit)] += (r >> bit) & 1;
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kCount));
  // Binomial(4000, 1/2) per bit: standard deviation about 32; 250 is over 7 of them.
  for (int bit = 0; bit < 64; ++bit) {
    EXPECT_GT(ones[static_cast<std::size_t>(bit)], kCount / 2 - 250) << "bit " << bit;
    EXPECT_LT(ones[static_cast<std::size_t>(bit)], kCount / 2 + 250) << "bit " << bit;
  }
}

TEST(Ids, RequestIdsAreReqAndSixteenAlnumCharacters) {
  for (int i = 0; i < 100; ++i) {
    const std::string id = new_request_id();
    ASSERT_EQ(id.size(), 20u) << id;
    EXPECT_TRUE(id.starts_with("req_")) << id;
    EXPECT_TRUE(all_alnum(std::string_view(id).substr(4))) << id;
  }
}

TEST(Ids, RequestIdsAreUniqueAcrossThreads) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25'000;
  std::vector<std::vector<std::string>> made(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&made, t] {
      for (int i = 0; i < kPerThread; ++i)
        made[static_cast<std::size_t>(t)].push_back(new_request_id());
    });
  }
  for (auto& t : threads) t.join();
  std::unordered_set<std::string> seen;
  for (const auto& ids : made) seen.insert(ids.begin(), ids.end());
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kThreads * kPerThread));
  std::set<char> last_chars;
  for (const auto& ids : made) {
    for (const auto& id : ids) last_chars.insert(id.back());
  }
  EXPECT_EQ(last_chars.size(), 62u);  // every character shows up in the last place
}

TEST(Ids, IsValidIdAccepts) {
  EXPECT_TRUE(is_valid_id("order_0123456789abcdef", "order_"));
  EXPECT_TRUE(is_valid_id("order_ABCDEFGHIJKLMNOP", "order_"));
  EXPECT_TRUE(is_valid_id("pay_zzzzzzzzzzzzzzzz", "pay_"));
  EXPECT_TRUE(is_valid_id("mrc_testmerchant0001", "mrc_"));
  EXPECT_TRUE(is_valid_id("refund_Aa0Bb1Cc2Dd3Ee4F", "refund_"));
  EXPECT_TRUE(is_valid_id("evt_0000000000000000", "evt_"));
}

TEST(Ids, IsValidIdRejects) {
  EXPECT_FALSE(is_valid_id("", "order_"));
  EXPECT_FALSE(is_valid_id("order_", "order_"));
  EXPECT_FALSE(is_valid_id("order_0123456789abcde", "order_"));    // 15
  EXPECT_FALSE(is_valid_id("order_0123456789abcdefg", "order_"));  // 17
  EXPECT_FALSE(is_valid_id("pay_0123456789abcdef", "order_"));
  EXPECT_FALSE(is_valid_id("order_0123456789abcdef", "pay_"));
  EXPECT_FALSE(is_valid_id("Order_0123456789abcdef", "order_"));
  EXPECT_FALSE(is_valid_id("ORDER_0123456789abcdef", "order_"));
  EXPECT_FALSE(is_valid_id("xorder_0123456789abcde", "order_"));
  EXPECT_FALSE(is_valid_id(" order_0123456789abcde", "order_"));
  EXPECT_FALSE(is_valid_id("order_0123456789abcde ", "order_"));
  EXPECT_FALSE(is_valid_id("order_0123456789abcd-f", "order_"));
  EXPECT_FALSE(is_valid_id("order_0123456789abcd_f", "order_"));
  EXPECT_FALSE(is_valid_id("order_0123456789abcd/f", "order_"));
  EXPECT_FALSE(is_valid_id("order_0123456789abcd%f", "order_"));
  EXPECT_FALSE(is_valid_id("order_0123456789abc\xc3\xa9", "order_"));  // "é": 2 bytes
  EXPECT_FALSE(is_valid_id(std::string_view("order_0123456789abcd\0f", 22), "order_"));
  // The characters just outside each range of the alphabet.
  for (char c : {'/', ':', '@', '[', '`', '{'}) {
    std::string id = "order_0123456789abcdef";
    id[10] = c;
    EXPECT_FALSE(is_valid_id(id, "order_")) << id;
  }
}

TEST(Ids, RandomAlnumHasTheAskedLengthAndAlphabet) {
  EXPECT_EQ(random_alnum(0), "");
  for (std::size_t n : {1u, 2u, 11u, 16u, 31u, 32u, 33u, 100u, 1000u}) {
    const std::string s = random_alnum(n);
    EXPECT_EQ(s.size(), n);
    EXPECT_TRUE(all_alnum(s)) << s;
  }
  EXPECT_NE(random_alnum(32), random_alnum(32));
}

TEST(Ids, RandomAlnumIsRoughlyUniform) {
  constexpr int kPerChar = 2000;
  const std::string s = random_alnum(62 * kPerChar);
  std::map<char, int> counts;
  for (char c : s) ++counts[c];
  ASSERT_EQ(counts.size(), 62u) << "some character never drawn";
  // Binomial(124000, 1/62): standard deviation about 44; 500 is over 11 of them.
  for (const auto& [c, n] : counts) {
    EXPECT_GT(n, kPerChar - 500) << c;
    EXPECT_LT(n, kPerChar + 500) << c;
  }
}

TEST(Ids, TrailingCharactersOfNewIdsUseEveryCharacter) {
  std::set<char> seen;
  for (int i = 0; i < 2000; ++i) {
    const std::string id = new_id(kEventPrefix);
    for (char c : std::string_view(id).substr(kEventPrefix.size() + 6)) seen.insert(c);
  }
  EXPECT_EQ(seen.size(), 62u);
}

bool is_lower_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

TEST(Ids, UuidV4Format) {
  std::set<char> variants;
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string u = new_uuid_v4();
    ASSERT_EQ(u.size(), 36u) << u;
    for (std::size_t j = 0; j < u.size(); ++j) {
      if (j == 8 || j == 13 || j == 18 || j == 23) {
        EXPECT_EQ(u[j], '-') << u;
      } else {
        EXPECT_TRUE(is_lower_hex(u[j])) << u;
      }
    }
    EXPECT_EQ(u[14], '4') << u;                                                    // version
    EXPECT_NE(std::string_view("89ab").find(u[19]), std::string_view::npos) << u;  // variant
    variants.insert(u[19]);
    seen.insert(u);
  }
  EXPECT_EQ(variants.size(), 4u);  // all of 8, 9, a, b occur: the low variant bits are random
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace paygate
