#include "cli/request_filter.h"

#include <cctype>

namespace paygate::cli {

namespace {

bool digit(char c) {
  return c >= '0' && c <= '9';
}

bool parse_one(std::string_view s, StatusPattern& out) {
  if (s.size() != 3 || !digit(s[0]) || s[0] < '1' || s[0] > '5') return false;
  out.hundreds = s[0] - '0';
  const auto x = [](char c) { return c == 'x' || c == 'X'; };
  if (x(s[1]) && x(s[2])) {
    out.exact.reset();
    return true;
  }
  if (digit(s[1]) && digit(s[2])) {
    out.exact = out.hundreds * 100 + (s[1] - '0') * 10 + (s[2] - '0');
    return true;
  }
  return false;
}

}  // namespace

bool parse_status_filter(std::string_view text, std::vector<StatusPattern>& out) {
  std::vector<StatusPattern> patterns;
  while (true) {
    const auto comma = text.find(',');
    StatusPattern p;
    if (!parse_one(text.substr(0, comma), p)) return false;
    patterns.push_back(p);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  out = std::move(patterns);
  return true;
}

bool RequestFilter::matches(std::string_view m, std::string_view path, std::int64_t status) const {
  if (!method.empty()) {
    if (m.size() != method.size()) return false;
    for (std::size_t i = 0; i < m.size(); ++i) {
      if (std::toupper(static_cast<unsigned char>(m[i])) != method[i]) return false;
    }
  }
  if (!path.starts_with(path_prefix)) return false;
  if (statuses.empty()) return true;
  for (const auto& p : statuses) {
    if (p.exact ? status == *p.exact : status / 100 == p.hundreds) return true;
  }
  return false;
}

}  // namespace paygate::cli
