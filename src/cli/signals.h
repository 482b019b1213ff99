// SIGINT/SIGTERM for the long-running verbs (listen, logs tail): the first
// asks for a clean stop (finish what is in hand, save the cursor, exit 0),
// the second cuts even that short.
#pragma once

#include <chrono>

namespace paygate::cli {

// Installs the handlers (without SA_RESTART, so a blocked call returns).
void install_stop_handlers();
// Signals received so far.
int stop_requests();
inline bool stop_requested() {
  return stop_requests() > 0;
}
// Sleeps for d, or less when a stop is asked for; false when it was.
bool sleep_unless_stopped(std::chrono::milliseconds d);

}  // namespace paygate::cli
