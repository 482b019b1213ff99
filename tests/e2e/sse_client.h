// A Server-Sent Events client for e2e tests: one GET on its own connection,
// the response head read, then messages read one at a time with a deadline.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness.h"

namespace paygate::test {

struct SseMessage {
  std::string id;     // "" when the message had none
  std::string event;  // "" when the message had none ("message")
  std::string data;
  std::vector<std::string> comments;  // ": ..." lines that came before it
};

class SseClient {
 public:
  // Opens the stream; status() is the answer's status (0: no answer).
  SseClient(std::uint16_t port, std::string_view target, const Headers& headers = {});
  ~SseClient();
  SseClient(const SseClient&) = delete;
  SseClient& operator=(const SseClient&) = delete;

  int status() const { return status_; }
  // The head's header (case-insensitive), or "".
  std::string header(std::string_view name) const;
  // The body of a non-200 answer (an error object), when status() != 200.
  const std::string& error_body() const { return error_body_; }

  // The next message with data (comments before it are kept in it), or
  // nothing when none came within timeout or the stream ended.
  std::optional<SseMessage> next(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // The next comment line (without ": "), skipping nothing else: a message
  // met first is kept for next().
  std::optional<std::string> next_comment(
      std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // The id of the last block that had one (a block with an id and no data
  // sets it without being a message), as an EventSource's lastEventId.
  const std::string& last_id() const { return last_id_; }
  // True when the server closed the stream within timeout.
  bool ended(std::chrono::milliseconds timeout);

 private:
  std::optional<std::string> read_line(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  int status_ = 0;
  Headers head_;
  std::string error_body_;
  std::string buffer_;
  std::vector<std::string> pending_comments_;
  std::optional<SseMessage> partial_;
  bool eof_ = false;
  std::string last_id_;
};

}  // namespace paygate::test
