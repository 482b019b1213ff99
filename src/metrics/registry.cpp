#include "metrics/registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace paygate::metrics {

namespace {

constexpr double kLatencyBuckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                      0.1,    0.25,  0.5,    1,     2.5,  5,     10};

void append_escaped(std::string& out, std::string_view value, bool is_help) {
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '"' && !is_help)
      out += "\\\"";
    else
      out += c;
  }
}

void append_labels(std::string& out, const Labels& labels, std::string_view le = {}) {
  if (labels.empty() && le.empty()) return;
  out += '{';
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ',';
    first = false;
    out += k;
    out += "=\"";
    append_escaped(out, v, false);
    out += '"';
  }
  if (!le.empty()) {
    if (!first) out += ',';
    out += "le=\"";
    out += le;
    out += '"';
  }
  out += '}';
}

void append_value(std::string& out, double v) {
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else if (std::isnan(v)) {
    out += "NaN";
  } else if (v == std::floor(v) && std::fabs(v) < 1e15) {
    fmt::format_to(std::back_inserter(out), "{}", static_cast<long long>(v));
  } else {
    fmt::format_to(std::back_inserter(out), "{}", v);
  }
}

}  // namespace

Histogram::Histogram(std::span<const double> upper_bounds)
    : bounds_(upper_bounds.begin(), upper_bounds.end()),
      counts_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {
  if (!std::is_sorted(bounds_.begin(), bounds_.end())) {
    throw std::invalid_argument("histogram bounds must ascend");
  }
}

void Histogram::observe(double value) noexcept {
  const auto at = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  counts_[static_cast<std::size_t>(at)].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.upper_bounds = bounds_;
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

std::span<const double> latency_buckets() {
  return kLatencyBuckets;
}

Registry::Family& Registry::family(std::string_view name, std::string_view help,
                                   bool is_histogram) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), Family{}).first;
    it->second.help = std::string(help);
    it->second.is_histogram = is_histogram;
  } else if (it->second.is_histogram != is_histogram) {
    throw std::logic_error("metric " + std::string(name) + " registered with two types");
  }
  return it->second;
}

Counter& Registry::counter(std::string_view name, std::string_view help, Labels labels) {
  std::lock_guard lock(mutex_);
  auto& slot = family(name, help, false).counters[std::move(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Histogram& Registry::histogram(std::string_view name, std::string_view help,
                               std::span<const double> upper_bounds, Labels labels) {
  std::lock_guard lock(mutex_);
  auto& slot = family(name, help, true).histograms[std::move(labels)];
  if (!slot) slot = std::make_unique<Histogram>(upper_bounds);
  return *slot;
}

std::string Registry::render() const {
  std::string out;
  out.reserve(16 * 1024);
  std::lock_guard lock(mutex_);
  for (const auto& [name, f] : families_) {
    write_header(out, name, f.help, f.is_histogram ? "histogram" : "counter");
    for (const auto& [labels, c] : f.counters) {
      write_sample(out, name, labels, static_cast<double>(c->value()));
    }
    for (const auto& [labels, h] : f.histograms) {
      const auto s = h->snapshot();
      const std::string bucket = name + "_bucket";
      for (std::size_t i = 0; i < s.cumulative.size(); ++i) {
        std::string le;
        if (i < s.upper_bounds.size()) {
          append_value(le, s.upper_bounds[i]);
        } else {
          le = "+Inf";
        }
        out += bucket;
        append_labels(out, labels, le);
        out += ' ';
        append_value(out, static_cast<double>(s.cumulative[i]));
        out += '\n';
      }
      write_sample(out, name + "_sum", labels, s.sum);
      write_sample(out, name + "_count", labels, static_cast<double>(s.count));
    }
  }
  return out;
}

void write_header(std::string& out, std::string_view name, std::string_view help,
                  std::string_view type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  append_escaped(out, help, true);
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void write_sample(std::string& out, std::string_view name, const Labels& labels, double value) {
  out += name;
  append_labels(out, labels);
  out += ' ';
  append_value(out, value);
  out += '\n';
}

}  // namespace paygate::metrics
