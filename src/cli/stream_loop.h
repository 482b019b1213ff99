// Following one of the server's event streams for as long as the user wants:
// connect (resuming with Last-Event-ID when there is a cursor), read, and
// when the server goes away, say so once and reconnect with backoff. listen
// and logs tail share it; what to do with each message is theirs.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "cli/api.h"
#include "cli/http_client.h"

namespace paygate::cli {

class StreamLoop {
 public:
  // target: "/api/v1/..."; what: how notes name it ("event stream").
  StreamLoop(ApiConfig api, std::string target, std::string what);

  // The Last-Event-ID the next connection sends ("" for none).
  void set_last_event_id(std::string id) { last_event_id_ = std::move(id); }

  // One connection, read until it ends. Throws CliError when the server
  // refuses in a way retrying cannot fix (bad credentials, no such route).
  StreamEnd run_once(const std::function<bool(const SseMessage&)>& on_message,
                     const std::function<bool()>& should_stop);

  // Waits before the next connection (longer after each failure to connect,
  // short again after a stream that opened); false when a stop came first.
  bool wait_before_reconnect();

 private:
  ApiConfig api_;
  std::string target_;
  std::string what_;
  std::string last_event_id_;
  HttpClient http_;
  std::chrono::milliseconds delay_;
  bool ever_connected_ = false;
  bool outage_noted_ = false;
};

}  // namespace paygate::cli
