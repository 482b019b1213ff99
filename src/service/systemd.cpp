#include "service/systemd.h"

#include <systemd/sd-daemon.h>

#include <cstdint>
#include <string>

namespace paygate::service {

namespace {

void notify(const std::string& state) {
  // unset_environment = 0: the variables stay for the watchdog's later calls.
  (void)sd_notify(0, state.c_str());
}

}  // namespace

void notify_ready(std::string_view status) {
  std::string state = "READY=1\nSTATUS=";
  state.append(status);
  notify(state);
}

void notify_stopping() {
  notify("STOPPING=1\nSTATUS=stopping");
}

void notify_alive() {
  notify("WATCHDOG=1");
}

std::optional<std::chrono::microseconds> watchdog_interval() {
  std::uint64_t usec = 0;
  // > 0 only when WATCHDOG_USEC is set and WATCHDOG_PID (if set) is this process.
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec);
}

}  // namespace paygate::service
