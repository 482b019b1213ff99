#include "http/http_metrics.h"

namespace paygate::http {

namespace {

constexpr std::string_view kRequests = "paygate_http_requests_total";
constexpr std::string_view kRequestsHelp =
    "HTTP requests answered, by route pattern, method and status.";
constexpr std::string_view kLatency = "paygate_http_request_duration_seconds";
constexpr std::string_view kLatencyHelp =
    "Time from a request's headers to its answer being written, by route pattern and method.";

constexpr Method kMethods[] = {Method::get,   Method::head, Method::post,    Method::put,
                               Method::patch, Method::del,  Method::options, Method::other};

}  // namespace

HttpMetrics::HttpMetrics(metrics::Registry& registry, const Router& router) : registry_(registry) {
  const auto make = [&](std::string pattern, Method method) {
    auto slot = std::make_unique<Slot>();
    slot->pattern = std::move(pattern);
    slot->method = std::string(to_string(method));
    slot->latency = &registry_.histogram(kLatency, kLatencyHelp, metrics::latency_buckets(),
                                         {{"route", slot->pattern}, {"method", slot->method}});
    return slot;
  };
  for (auto& [method, pattern] : router.routes()) routes_.push_back(make(pattern, method));
  for (Method m : kMethods) unmatched_[static_cast<std::size_t>(m)] = make("unmatched", m);
}

metrics::Counter& HttpMetrics::counter(Slot& slot, int status) {
  const auto at = static_cast<std::size_t>(std::clamp(status, 100, 599) - 100);
  if (auto* c = slot.by_status[at].load(std::memory_order_acquire)) return *c;
  // First answer with this status on this route: register (takes a lock), then cache.
  auto& c = registry_.counter(
      kRequests, kRequestsHelp,
      {{"route", slot.pattern}, {"method", slot.method}, {"status", std::to_string(status)}});
  slot.by_status[at].store(&c, std::memory_order_release);
  return c;
}

void HttpMetrics::record(std::optional<std::size_t> route, Method method, int status,
                         double seconds) {
  Slot& slot = route && *route < routes_.size() ? *routes_[*route]
                                                : *unmatched_[static_cast<std::size_t>(method)];
  counter(slot, status).inc();
  slot.latency->observe(seconds);
}

}  // namespace paygate::http
