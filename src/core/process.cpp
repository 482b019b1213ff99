#include "core/process.h"

#include <algorithm>

namespace paygate {

std::string_view process_role(bool api, bool workers) {
  if (api && workers) return "api+worker";
  if (api) return "api";
  if (workers) return "worker";
  return "none";
}

bool is_live(Micros expires_at, Micros now) {
  return expires_at > now;
}

int count_live(const std::vector<ProcessStatus>& ps, Micros now, bool api) {
  return static_cast<int>(std::ranges::count_if(ps, [&](const ProcessStatus& p) {
    return is_live(p.expires_at, now) && (api ? p.info.api : p.info.workers);
  }));
}

int limit_sharers(std::optional<std::int64_t> counted, int previous, bool shared_database) {
  if (!shared_database) return 1;
  if (!counted) return std::max(1, previous);
  return static_cast<int>(std::clamp<std::int64_t>(*counted, 1, 1'000'000));
}

}  // namespace paygate
