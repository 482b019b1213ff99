#include "cli/stream_loop.h"

#include <algorithm>
#include <charconv>

#include "app.h"
#include "cli/output.h"
#include "cli/signals.h"

namespace paygate::cli {

namespace {

constexpr std::chrono::milliseconds kFirstDelay{250};
constexpr std::chrono::milliseconds kMaxDelay{5'000};
// The server sends a heartbeat every 15 s: three missed means the connection
// is dead even if TCP has not noticed (a laptop that slept, a NAT that forgot).
constexpr std::chrono::milliseconds kIdleTimeout{45'000};

}  // namespace

StreamLoop::StreamLoop(ApiConfig api, std::string target, std::string what)
    : api_(std::move(api)),
      target_(std::move(target)),
      what_(std::move(what)),
      delay_(kFirstDelay) {}

StreamEnd StreamLoop::run_once(const std::function<bool(const SseMessage&)>& on_message,
                               const std::function<bool()>& should_stop) {
  HttpRequest request;
  request.url = api_.url + target_;
  request.headers = {{"X-Api-Key", api_.key}, {"X-Api-Secret", api_.secret}};
  if (!last_event_id_.empty()) request.headers.emplace_back("Last-Event-ID", last_event_id_);
  bool connected_noted = false;
  const auto connected = [&] {
    if (connected_noted) return;
    connected_noted = true;
    outage_noted_ = false;
    delay_ = kFirstDelay;
    std::string line = (ever_connected_ ? "reconnected to the " : "connected to the ") + what_;
    if (!last_event_id_.empty()) line += ", resuming after event " + last_event_id_;
    ever_connected_ = true;
    note(line);
  };
  StreamCallbacks callbacks;
  callbacks.on_message = [&](const SseMessage& m) {
    // ": connected" is the server saying the stream is live; an event or any
    // other message proves it as well.
    connected();
    return on_message(m);
  };
  callbacks.should_stop = should_stop;
  const StreamResult r = http_.stream(request, callbacks, kIdleTimeout);
  if (r.retry_ms && *r.retry_ms > 0) {
    delay_ = std::clamp(std::chrono::milliseconds(*r.retry_ms), kFirstDelay, kMaxDelay);
  }
  switch (r.end) {
    case StreamEnd::kStopped:
      break;
    case StreamEnd::kClosed:
      if (!connected_noted) break;  // opened and closed at once: treat as a failure below
      note("the " + what_ + " closed" + (r.response.error.empty() ? "" : ": " + r.response.error) +
           "; reconnecting");
      break;
    case StreamEnd::kIdle:
      note("nothing from the " + what_ + " for " + std::to_string(kIdleTimeout.count() / 1000) +
           " s; reconnecting");
      break;
    case StreamEnd::kRefused: {
      const long s = r.response.status;
      if (s == 400 || s == 401 || s == 403 || s == 404 || s == 405) {
        throw CliError(describe_failure(r.response, target_));
      }
      if (!outage_noted_) {
        note(describe_failure(r.response, target_) + "; retrying");
        outage_noted_ = true;
      }
      const std::string ra = r.response.header("Retry-After");
      int seconds = 0;
      if (!ra.empty() &&
          std::from_chars(ra.data(), ra.data() + ra.size(), seconds).ec == std::errc()) {
        delay_ = std::clamp(std::chrono::milliseconds(seconds * 1000), delay_, kMaxDelay * 6);
      }
      break;
    }
    case StreamEnd::kFailed:
      if (!outage_noted_) {
        note("cannot reach " + api_.url + " (" + r.response.error + "); retrying");
        outage_noted_ = true;
      }
      break;
  }
  return r.end;
}

bool StreamLoop::wait_before_reconnect() {
  const auto d = delay_;
  delay_ = std::min(delay_ * 2, kMaxDelay);
  return sleep_unless_stopped(d);
}

}  // namespace paygate::cli
