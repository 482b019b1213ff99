// Pets systemd's watchdog only while the process still does its work: every
// half interval it asks each of the process's event loops (the HTTP server's
// I/O threads, the job runner's thread) to answer a no-op, and sends
// WATCHDOG=1 only when all of them answered since the last time. A loop that
// is stuck (a deadlock, a handler that never returns) therefore stops the
// petting, and systemd restarts the service.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <thread>

namespace paygate::service {

// Posts `answer` onto every loop to be checked; returns how many it posted to.
// Each loop calls `answer` once when it runs it.
using AskLoops = std::function<int(const std::function<void()>& answer)>;

class Watchdog {
 public:
  // Starts petting with `pet` (notify_alive in production) every
  // interval / 2 while ask_loops' loops answer.
  Watchdog(std::chrono::microseconds interval, AskLoops ask_loops, std::function<void()> pet);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  // Shared with the answers in flight: a loop may run its answer after the
  // Watchdog is gone.
  struct State;
  static void run(const std::shared_ptr<State>& state, std::chrono::microseconds period,
                  const AskLoops& ask_loops, const std::function<void()>& pet);

  std::shared_ptr<State> state_;
  std::thread thread_;
};

}  // namespace paygate::service
