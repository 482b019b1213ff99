// This process's row in the processes table, kept alive by a heartbeat on a
// thread of its own (`heartbeat`; it waits on the database, which an I/O
// thread must never do), and the number of live API processes the heartbeat
// reads back, by which this process divides its rate limits.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/error.h"
#include "core/process.h"
#include "store/database.h"

namespace paygate {

struct RegistryOptions {
  std::chrono::milliseconds heartbeat{2000};
  // A row not renewed for this long is no longer counted (its process died).
  std::chrono::milliseconds expiry{6000};
  // Whether other processes may share the database (PostgreSQL): if not, the
  // rate limits are never divided.
  bool shared_database = false;
};

class ProcessRegistry {
 public:
  ProcessRegistry(store::Database& db, ProcessInfo self, RegistryOptions options);
  ~ProcessRegistry();
  ProcessRegistry(const ProcessRegistry&) = delete;
  ProcessRegistry& operator=(const ProcessRegistry&) = delete;

  // Registers this process (the first heartbeat, before it serves anything,
  // so that its first requests are counted against the right share), then
  // starts the heartbeat thread.
  Status start();
  // Ends the heartbeat and removes this process's row, so that the others
  // take over its share at their next heartbeat. Before the database stops.
  void stop();

  const std::string& id() const { return self_.id; }
  // Live API processes at the last heartbeat, at least 1 (see limit_sharers).
  int api_processes() const { return api_processes_.load(std::memory_order_relaxed); }

 private:
  Status beat();
  void run();

  store::Database& db_;
  const ProcessInfo self_;
  const RegistryOptions options_;
  std::atomic<int> api_processes_{1};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool started_ = false;   // start() was called: there may be a row to remove
  bool stopping_ = false;  // under mutex_
  bool failing_ = false;   // only the heartbeat thread: said once per outage
  std::thread thread_;
};

}  // namespace paygate
