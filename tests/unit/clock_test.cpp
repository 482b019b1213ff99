#include "core/clock.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>

namespace paygate {
namespace {

constexpr Micros kSecond = 1'000'000;
constexpr Micros kDay = 86'400 * kSecond;

// The same rendering computed another way: the C library's gmtime_r.
std::string reference(Micros t) {
  Micros secs = t / kSecond;
  Micros micros = t % kSecond;
  if (micros < 0) {
    micros += kSecond;
    --secs;
  }
  const std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%06lldZ", static_cast<long long>(micros));
  return std::string(buf) + frac;
}

// Seconds since the epoch of a UTC calendar time, by timegm.
Micros utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<Micros>(timegm(&tm)) * kSecond;
}

TEST(Clock, Epoch) {
  EXPECT_EQ(format_iso8601(0), "1970-01-01T00:00:00.000000Z");
}

TEST(Clock, KnownTime) {
  EXPECT_EQ(format_iso8601(1768561262771058), "2026-01-16T11:01:02.771058Z");
  EXPECT_EQ(utc(2026, 1, 16, 11, 1, 2) + 771058, 1768561262771058);
}

TEST(Clock, MicrosecondsArePaddedToSixDigits) {
  EXPECT_EQ(format_iso8601(1), "1970-01-01T00:00:00.000001Z");
  EXPECT_EQ(format_iso8601(999'999), "1970-01-01T00:00:00.999999Z");
  EXPECT_EQ(format_iso8601(kSecond), "1970-01-01T00:00:01.000000Z");
  EXPECT_EQ(format_iso8601(10'000), "1970-01-01T00:00:00.010000Z");
}

TEST(Clock, LeapDay) {
  const Micros leap = utc(2024, 2, 29, 12, 34, 56);
  EXPECT_EQ(leap, 1'709'210'096 * kSecond);  // python: calendar.timegm((2024,2,29,12,34,56))
  EXPECT_EQ(format_iso8601(leap + 1), "2024-02-29T12:34:56.000001Z");
  EXPECT_EQ(format_iso8601(utc(2024, 2, 28, 23, 59, 59) + 999'999), "2024-02-28T23:59:59.999999Z");
  EXPECT_EQ(format_iso8601(utc(2024, 2, 28) + kDay), "2024-02-29T00:00:00.000000Z");
  EXPECT_EQ(format_iso8601(utc(2024, 2, 29) + kDay), "2024-03-01T00:00:00.000000Z");
  // 2000 is a leap year (divisible by 400), 2100 is not (divisible by 100).
  EXPECT_EQ(format_iso8601(utc(2000, 2, 28) + kDay), "2000-02-29T00:00:00.000000Z");
  EXPECT_EQ(format_iso8601(utc(2100, 2, 28) + kDay), "2100-03-01T00:00:00.000000Z");
  EXPECT_EQ(format_iso8601(utc(2023, 2, 28) + kDay), "2023-03-01T00:00:00.000000Z");
}

TEST(Clock, EndOfYear) {
  const Micros last = utc(2024, 12, 31, 23, 59, 59) + 999'999;
  EXPECT_EQ(last, 1'735'689'599 * kSecond + 999'999);
  EXPECT_EQ(format_iso8601(last), "2024-12-31T23:59:59.999999Z");
  EXPECT_EQ(format_iso8601(last + 1), "2025-01-01T00:00:00.000000Z");
  EXPECT_EQ(format_iso8601(utc(1999, 12, 31, 23, 59, 59)), "1999-12-31T23:59:59.000000Z");
  EXPECT_EQ(format_iso8601(utc(2000, 1, 1)), "2000-01-01T00:00:00.000000Z");
}

TEST(Clock, BeforeTheEpoch) {
  EXPECT_EQ(format_iso8601(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(format_iso8601(-kSecond), "1969-12-31T23:59:59.000000Z");
  EXPECT_EQ(format_iso8601(-kSecond - 1), "1969-12-31T23:59:58.999999Z");
  EXPECT_EQ(format_iso8601(-kDay), "1969-12-31T00:00:00.000000Z");
  EXPECT_EQ(format_iso8601(-kDay - 1), "1969-12-30T23:59:59.999999Z");
  EXPECT_EQ(format_iso8601(-kDay + 1), "1969-12-31T00:00:00.000001Z");
  EXPECT_EQ(format_iso8601(-14'182'940 * kSecond), "1969-07-20T20:17:40.000000Z");
  EXPECT_EQ(format_iso8601(-2'208'988'800 * kSecond), "1900-01-01T00:00:00.000000Z");
  EXPECT_EQ(format_iso8601(utc(1960, 2, 29, 1, 2, 3) + 4), "1960-02-29T01:02:03.000004Z");
}

TEST(Clock, MatchesGmtimeOverManyValues) {
  // A fixed pseudo-random walk over 1900..2200, both signs, odd microseconds.
  std::uint64_t x = 0x9e3779b97f4a7c15ULL;
  const Micros lo = -2'208'988'800 * kSecond;
  const Micros span = 7'258'118'400 * kSecond - lo;  // to 2200-01-01
  for (int i = 0; i < 20'000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const Micros t = lo + static_cast<Micros>(x % static_cast<std::uint64_t>(span));
    ASSERT_EQ(format_iso8601(t), reference(t)) << t;
  }
  // Every day boundary and its neighbours over a few years around the epoch.
  for (Micros d = -800; d <= 800; ++d) {
    for (Micros off : {Micros{-1}, Micros{0}, Micros{1}}) {
      const Micros t = d * kDay + off;
      ASSERT_EQ(format_iso8601(t), reference(t)) << t;
    }
  }
}

TEST(Clock, AppendAppendsTwentySevenCharacters) {
  std::string out = "at ";
  append_iso8601(out, 1768561262771058);
  EXPECT_EQ(out, "at 2026-01-16T11:01:02.771058Z");
  EXPECT_EQ(format_iso8601(-123456789).size(), 27u);
}

TEST(Clock, NowIsNow) {
  const Micros before = static_cast<Micros>(std::time(nullptr)) * kSecond;
  const Micros now = now_micros();
  // std::time reads the kernel's coarse clock, a few ms behind now_micros's
  // precise one: just past a second boundary it still says the second before.
  const Micros after = static_cast<Micros>(std::time(nullptr) + 2) * kSecond;
  EXPECT_GE(now, before);
  EXPECT_LE(now, after);
}

}  // namespace
}  // namespace paygate
