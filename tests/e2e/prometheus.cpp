#include "prometheus.h"

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>
#include <sstream>

namespace paygate::test {

namespace {

const std::regex kName("[a-zA-Z_:][a-zA-Z0-9_:]*");
const std::regex kLabelName("[a-zA-Z_][a-zA-Z0-9_]*");

bool is_name(const std::string& s, const std::regex& re) {
  return std::regex_match(s, re);
}

bool parse_value(const std::string& s, double& out) {
  if (s == "+Inf") {
    out = INFINITY;
    return true;
  }
  if (s == "-Inf") {
    out = -INFINITY;
    return true;
  }
  if (s == "NaN") {
    out = NAN;
    return true;
  }
  try {
    std::size_t used = 0;
    out = std::stod(s, &used);
    return used == s.size();
  } catch (...) {
    return false;
  }
}

// The family a sample belongs to (histogram samples carry suffixes).
std::string family_of(const std::string& name, const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string_view s(suffix);
    if (name.size() > s.size() && name.ends_with(s)) {
      const std::string base = name.substr(0, name.size() - s.size());
      if (auto it = types.find(base); it != types.end() && it->second == "histogram") return base;
    }
  }
  return name;
}

}  // namespace

std::string series_key(const std::string& name,
                       std::vector<std::pair<std::string, std::string>> labels) {
  std::sort(labels.begin(), labels.end());
  std::string key = name;
  if (!labels.empty()) {
    key += '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (i > 0) key += ',';
      key += labels[i].first + "=\"" + labels[i].second + "\"";
    }
    key += '}';
  }
  return key;
}

double Exposition::value(const std::string& name,
                         const std::vector<std::pair<std::string, std::string>>& labels) const {
  auto it = samples.find(series_key(name, labels));
  return it == samples.end() ? 0 : it->second;
}

bool Exposition::has(const std::string& name,
                     const std::vector<std::pair<std::string, std::string>>& labels) const {
  return samples.contains(series_key(name, labels));
}

Exposition parse_exposition(std::string_view text) {
  Exposition e;
  std::set<std::string> helped;
  std::set<std::string> seen_families;
  std::string current_family;
  std::istringstream in{std::string(text)};
  std::string line;
  int n = 0;
  auto error = [&](const std::string& what) {
    e.errors.push_back("line " + std::to_string(n) + ": " + what + ": " + line);
  };
  if (!text.empty() && !text.ends_with('\n'))
    e.errors.push_back("the text must end with a newline");
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
      std::istringstream words(line.substr(7));
      std::string name;
      words >> name;
      if (!is_name(name, kName)) error("bad metric name");
      if (line[2] == 'T') {
        std::string type;
        words >> type;
        static const std::set<std::string> kTypes{"counter", "gauge", "histogram", "summary",
                                                  "untyped"};
        if (!kTypes.contains(type)) error("unknown type");
        if (e.types.contains(name)) error("second TYPE for a family");
        if (seen_families.contains(name)) error("TYPE after the family's samples");
        e.types[name] = type;
      } else {
        if (helped.contains(name)) error("second HELP for a family");
        helped.insert(name);
      }
      continue;
    }
    if (line.starts_with('#')) continue;

    // name{labels} value [timestamp]
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    const std::string name = line.substr(0, i);
    if (!is_name(name, kName)) {
      error("bad sample name");
      continue;
    }
    std::vector<std::pair<std::string, std::string>> labels;
    if (i < line.size() && line[i] == '{') {
      ++i;
      bool ok = true;
      while (ok && i < line.size() && line[i] != '}') {
        const std::size_t eq = line.find('=', i);
        if (eq == std::string::npos || eq + 1 >= line.size() || line[eq + 1] != '"') {
          ok = false;
          break;
        }
        const std::string label = line.substr(i, eq - i);
        if (!is_name(label, kLabelName)) ok = false;
        std::string value;
        std::size_t j = eq + 2;
        for (; j < line.size() && line[j] != '"'; ++j) {
          if (line[j] == '\\' && j + 1 < line.size()) {
            const char c = line[++j];
            value += c == 'n' ? '\n' : c;
          } else {
            value += line[j];
          }
        }
        if (j >= line.size()) {
          ok = false;
          break;
        }
        labels.emplace_back(label, value);
        i = j + 1;
        if (i < line.size() && line[i] == ',') ++i;
      }
      if (!ok || i >= line.size()) {
        error("bad labels");
        continue;
      }
      ++i;  // '}'
    }
    if (i >= line.size() || line[i] != ' ') {
      error("no value");
      continue;
    }
    std::istringstream rest(line.substr(i + 1));
    std::string value_text;
    rest >> value_text;
    double value = 0;
    if (!parse_value(value_text, value)) {
      error("bad value");
      continue;
    }
    const std::string family = family_of(name, e.types);
    if (!e.types.contains(family)) error("sample without a TYPE");
    if (!current_family.empty() && family != current_family && seen_families.contains(family)) {
      error("a family's samples are not together");
    }
    current_family = family;
    seen_families.insert(family);
    const std::string key = series_key(name, labels);
    if (e.samples.contains(key)) error("duplicate series");
    e.samples[key] = value;
  }

  // Histograms: cumulative buckets ending in +Inf.
  for (const auto& [family, type] : e.types) {
    if (type != "histogram") continue;
    std::map<std::string, std::vector<std::pair<double, double>>> buckets;  // by other labels
    for (const auto& [key, value] : e.samples) {
      if (!key.starts_with(family + "_bucket")) continue;
      const auto le_at = key.find("le=\"");
      if (le_at == std::string::npos) {
        e.errors.push_back(key + ": bucket without le");
        continue;
      }
      const auto le_end = key.find('"', le_at + 4);
      double le = 0;
      parse_value(key.substr(le_at + 4, le_end - le_at - 4), le);
      std::string others = key.substr(family.size() + 7);
      others.erase(le_at - family.size() - 7, le_end + 1 - le_at);
      buckets[others].emplace_back(le, value);
    }
    for (auto& [others, list] : buckets) {
      std::sort(list.begin(), list.end());
      for (std::size_t k = 1; k < list.size(); ++k) {
        if (list[k].second < list[k - 1].second)
          e.errors.push_back(family + others + ": buckets not cumulative");
      }
      if (list.empty() || !std::isinf(list.back().first)) {
        e.errors.push_back(family + others + ": no +Inf bucket");
      }
    }
  }
  return e;
}

}  // namespace paygate::test
