// Process-local metrics for Prometheus: counters and histograms registered by
// name and labels, updated lock-free on hot paths, rendered in the text
// exposition format (version 0.0.4). Callers keep the references they get:
// registration takes a lock, updates do not.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace paygate::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Histogram {
 public:
  // upper_bounds: ascending, without +Inf (always added).
  explicit Histogram(std::span<const double> upper_bounds);
  void observe(double value) noexcept;

  struct Snapshot {
    std::vector<double> upper_bounds;
    std::vector<std::uint64_t> cumulative;  // per bound, then +Inf
    double sum = 0;
    std::uint64_t count = 0;
  };
  Snapshot snapshot() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // bounds_.size() + 1
  std::atomic<double> sum_{0};
};

// Latency buckets in seconds, 0.5 ms to 10 s.
std::span<const double> latency_buckets();

class Registry {
 public:
  Counter& counter(std::string_view name, std::string_view help, Labels labels = {});
  Histogram& histogram(std::string_view name, std::string_view help,
                       std::span<const double> upper_bounds, Labels labels = {});
  // Every registered metric, families in name order.
  std::string render() const;

 private:
  struct Family {
    std::string help;
    bool is_histogram = false;
    std::map<Labels, std::unique_ptr<Counter>> counters;
    std::map<Labels, std::unique_ptr<Histogram>> histograms;
  };
  Family& family(std::string_view name, std::string_view help, bool is_histogram);

  mutable std::mutex mutex_;
  std::map<std::string, Family, std::less<>> families_;
};

// Pieces of the text format, for metrics computed when scraped.
void write_header(std::string& out, std::string_view name, std::string_view help,
                  std::string_view type);
void write_sample(std::string& out, std::string_view name, const Labels& labels, double value);

}  // namespace paygate::metrics
