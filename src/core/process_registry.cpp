#include "core/process_registry.h"

#include <spdlog/spdlog.h>

#include "core/thread_name.h"
#include "store/process_repository.h"

namespace paygate {

namespace {

// Expired rows stay listed (as not live) this long, so that a process that
// died shows in /test/jobs/status for a while before it is forgotten.
constexpr Micros kForgetAfter = 10LL * 60 * 1'000'000;

Micros micros(std::chrono::milliseconds ms) {
  return std::chrono::duration_cast<std::chrono::microseconds>(ms).count();
}

}  // namespace

ProcessRegistry::ProcessRegistry(store::Database& db, ProcessInfo self, RegistryOptions options)
    : db_(db), self_(std::move(self)), options_(options) {}

ProcessRegistry::~ProcessRegistry() {
  stop();
}

Status ProcessRegistry::beat() {
  std::optional<std::int64_t> counted;
  auto s = store::write_sync(db_, [&](store::Connection& c) -> Status {
    const Micros now = now_micros();
    if (auto h = store::heartbeat_process(c, self_, now, now + micros(options_.expiry)); !h) {
      return h;
    }
    if (auto f = store::forget_processes_expired_before(c, now - kForgetAfter); !f) {
      return fail(f.error());
    }
    auto n = store::count_live_api_processes(c, now);
    if (!n) return fail(n.error());
    counted = *n;
    return {};
  });
  if (!s) counted.reset();
  const int before = api_processes();
  const int now_sharing = limit_sharers(counted, before, options_.shared_database);
  api_processes_.store(now_sharing, std::memory_order_relaxed);
  if (now_sharing != before) {
    spdlog::info("rate limits: {} API processes share each budget (was {})", now_sharing, before);
  }
  return s;
}

Status ProcessRegistry::start() {
  started_ = true;
  auto s = beat();
  if (!s) return s;
  thread_ = named_thread("heartbeat", [this] { run(); });
  return {};
}

void ProcessRegistry::run() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, options_.heartbeat, [this] { return stopping_; })) {
    lock.unlock();
    auto s = beat();
    // An outage is said once, and its end once, not at every heartbeat.
    if (!s && !failing_) {
      spdlog::warn("process heartbeat failed (keeping {} API processes): {}", api_processes(),
                   s.error().description);
    } else if (s && failing_) {
      spdlog::info("process heartbeat works again");
    }
    failing_ = !s;
    lock.lock();
  }
}

void ProcessRegistry::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!started_ || stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  auto s = store::write_sync(
      db_, [this](store::Connection& c) { return store::remove_process(c, self_.id); });
  if (!s) spdlog::warn("could not remove this process's row: {}", s.error().description);
}

}  // namespace paygate
