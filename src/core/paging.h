// Which slice of a merchant's list to answer: newest first, `count` items
// after skipping `skip`, created within [from, to].
#pragma once

#include <cstdint>

#include "core/clock.h"
#include "core/error.h"

namespace paygate {

inline constexpr std::int64_t kMaxPageCount = 100;

struct PageWindow {
  std::int64_t count = 10;
  std::int64_t skip = 0;
  Micros from = 0;
  Micros to = INT64_MAX;
};

// count 1-100, skip >= 0, 0 <= from <= to; a 400 naming the parameter otherwise.
Status validate_page_window(const PageWindow& page);

}  // namespace paygate
