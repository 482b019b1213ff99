// A strict reader of the Prometheus text exposition format (0.0.4), for
// tests: it checks the syntax and the rules a scraper relies on, and gives
// every sample's value by its series name.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace paygate::test {

struct Exposition {
  // Series key: name{label="value",...} with labels sorted by name; value.
  std::map<std::string, double> samples;
  std::map<std::string, std::string> types;  // family name -> counter|gauge|histogram|...
  std::vector<std::string> errors;           // empty when the text is valid

  // The sample's value, or 0 when there is no such series.
  double value(const std::string& name,
               const std::vector<std::pair<std::string, std::string>>& labels = {}) const;
  bool has(const std::string& name,
           const std::vector<std::pair<std::string, std::string>>& labels = {}) const;
};

Exposition parse_exposition(std::string_view text);

// The key parse_exposition files a series under.
std::string series_key(const std::string& name,
                       std::vector<std::pair<std::string, std::string>> labels);

}  // namespace paygate::test
