// The processes of a deployment (serve and worker processes on one
// database), as their rows in the processes table describe them, and the pure
// rules about them: when one is live, what its role is called, and how many
// processes share the rate limits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace paygate {

// What a process says about itself when it registers.
struct ProcessInfo {
  std::string id;  // "proc_…", new at every start
  bool api = false;
  bool workers = false;
  std::string host;
  std::int64_t pid = 0;
  std::string version;
  Micros started_at = 0;
};

// A registered process as /test/jobs/status shows it.
struct ProcessStatus {
  ProcessInfo info;
  Micros heartbeat_at = 0;
  Micros expires_at = 0;
  std::int64_t jobs_held = 0;  // running jobs it claimed (leases it holds)
};

// "api", "worker", "api+worker" (serve with its workers), or "none".
std::string_view process_role(bool api, bool workers);

// A process is live until its last heartbeat's expiry has passed.
bool is_live(Micros expires_at, Micros now);

// Live processes of ps: those serving the API (api) or running workers.
int count_live(const std::vector<ProcessStatus>& ps, Micros now, bool api);

// How many API processes this one's rate limits are shared by: the live API
// processes the database counted (itself included), at least 1; the previous
// number when the count failed (the database could not be asked); always 1
// when the database is not shared (SQLite: one process serves the API).
int limit_sharers(std::optional<std::int64_t> counted, int previous, bool shared_database);

}  // namespace paygate
