#include "core/clock.h"

#include <chrono>

namespace paygate {

Micros now_micros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

namespace {

// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's civil_from_days).
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
}

void put_digits(char* p, std::int64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
}

}  // namespace

void append_iso8601(std::string& out, Micros t) {
  constexpr std::int64_t kPerDay = 86'400'000'000;
  std::int64_t days = t / kPerDay;
  std::int64_t rem = t % kPerDay;
  if (rem < 0) {
    rem += kPerDay;
    --days;
  }
  std::int64_t year = 0;
  unsigned month = 0, day = 0;
  civil_from_days(days, year, month, day);
  const std::int64_t secs = rem / 1'000'000;
  const std::int64_t micros = rem % 1'000'000;

  char buf[27] = {'0', '0', '0', '0', '-', '0', '0', '-', '0', '0', 'T', '0', '0', ':',
                  '0', '0', ':', '0', '0', '.', '0', '0', '0', '0', '0', '0', 'Z'};
  put_digits(buf, year, 4);
  put_digits(buf + 5, month, 2);
  put_digits(buf + 8, day, 2);
  put_digits(buf + 11, secs / 3600, 2);
  put_digits(buf + 14, secs / 60 % 60, 2);
  put_digits(buf + 17, secs % 60, 2);
  put_digits(buf + 20, micros, 6);
  out.append(buf, sizeof buf);
}

std::string format_iso8601(Micros t) {
  std::string s;
  s.reserve(27);
  append_iso8601(s, t);
  return s;
}

}  // namespace paygate
