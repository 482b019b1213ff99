// Which finished requests `paygate logs tail` prints: --status (404, 4xx,
// or a comma-separated list of either), --path (a prefix) and --method.
// Pure, so the rules are unit-tested.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paygate::cli {

struct StatusPattern {
  int hundreds = 0;          // 4 for "4xx"
  std::optional<int> exact;  // 404 for "404"
};

struct RequestFilter {
  std::vector<StatusPattern> statuses;  // any of them; empty: every status
  std::string path_prefix;
  std::string method;  // upper case; "" for any

  bool matches(std::string_view method, std::string_view path, std::int64_t status) const;
};

// "4xx", "404", "2xx,5xx" (case-insensitive x); false for anything else.
bool parse_status_filter(std::string_view text, std::vector<StatusPattern>& out);

}  // namespace paygate::cli
