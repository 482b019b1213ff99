// What a process started by systemd as Type=notify tells it: that it is ready
// (the listening socket accepts connections), that it is stopping, and that it
// is still alive (the watchdog). Every call is a no-op when the process was
// not started that way (no NOTIFY_SOCKET), so nothing else needs to know.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace paygate::service {

// READY=1, with a one-line STATUS= for `systemctl status`.
void notify_ready(std::string_view status);
// STOPPING=1: a graceful stop has begun (SIGTERM), so systemd does not count
// the time it takes as a hang.
void notify_stopping();
// WATCHDOG=1.
void notify_alive();

// The interval within which systemd wants WATCHDOG=1 (WatchdogSec=, passed
// as WATCHDOG_USEC), when it wants it for this process.
std::optional<std::chrono::microseconds> watchdog_interval();

}  // namespace paygate::service
