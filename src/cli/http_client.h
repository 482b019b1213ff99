// The CLI's HTTP over libcurl: plain requests (JSON calls to the API, events
// forwarded to a developer's receiver) and a long-lived Server-Sent Events
// stream read message by message. Knows nothing of paygate's API (api.h does).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/sse.h"

namespace paygate::cli {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  HeaderList headers;
  std::string body;  // sent when method is not GET
  std::chrono::milliseconds timeout{30'000};
  std::chrono::milliseconds connect_timeout{10'000};
};

struct HttpResponse {
  long status = 0;  // 0: no answer (error says why)
  std::string body;
  HeaderList headers;
  std::string error;
  std::chrono::milliseconds elapsed{0};

  bool answered() const { return status != 0; }
  // The first header with this name (case-insensitive), or "".
  std::string header(std::string_view name) const;
};

struct StreamCallbacks {
  // The server accepted the stream (200, text/event-stream).
  std::function<void()> on_open;
  // Each message in order; false stops reading (the connection is dropped).
  std::function<bool(const SseMessage&)> on_message;
  // Polled about every 100 ms; true stops reading.
  std::function<bool()> should_stop;
};

enum class StreamEnd {
  kClosed,   // the server ended the stream, or the connection broke after it opened
  kRefused,  // the server answered but not with a stream (response holds its answer)
  kFailed,   // no answer at all (cannot connect, ...): response.error says why
  kIdle,     // nothing, not even a heartbeat, for the idle timeout
  kStopped,  // should_stop or on_message said stop
};

struct StreamResult {
  StreamEnd end = StreamEnd::kFailed;
  bool opened = false;
  HttpResponse response;                 // status, headers and (refused) body; error when it failed
  std::optional<std::int64_t> retry_ms;  // the server's "retry:" if it sent one
};

// One libcurl handle: connections are kept alive between requests. Not
// thread-safe; one per thread.
class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // abort, if given, is polled during the exchange; true gives up (status 0,
  // error "stopped").
  HttpResponse send(const HttpRequest& request, const std::function<bool()>& abort = {});

  // GETs request.url as an event stream until it ends (see StreamEnd).
  // request.timeout is ignored: a stream has no end; idle_timeout bounds the
  // silence between any two bytes instead.
  StreamResult stream(const HttpRequest& request, StreamCallbacks& callbacks,
                      std::chrono::milliseconds idle_timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Once per process, before any HttpClient (not thread-safe, as libcurl's).
void http_global_init();

}  // namespace paygate::cli
