// Per-route request counters and latency histograms, labelled by route
// pattern (never a raw path), method and status.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "http/router.h"
#include "metrics/registry.h"

namespace paygate::http {

class HttpMetrics {
 public:
  HttpMetrics(metrics::Registry& registry, const Router& router);
  // route: Router::Match::route, or nothing for a request no route took.
  void record(std::optional<std::size_t> route, Method method, int status, double seconds);

 private:
  struct Slot {
    std::string pattern;
    std::string method;
    metrics::Histogram* latency = nullptr;
    std::array<std::atomic<metrics::Counter*>, 500> by_status{};  // status - 100
  };
  metrics::Counter& counter(Slot& slot, int status);

  metrics::Registry& registry_;
  std::vector<std::unique_ptr<Slot>> routes_;
  std::array<std::unique_ptr<Slot>, 8> unmatched_;  // by Method
};

}  // namespace paygate::http
