// An HTTP receiver for e2e tests: a small server on 127.0.0.1 (a free port)
// with its own thread, that records every request it gets (method, target,
// headers, raw body bytes) and answers each path with a configurable sequence
// of replies (status, delay, headers, body). A delayed reply does not hold up
// the others. For webhook deliveries, and any later test that needs paygate to
// call out to something.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "harness.h"

namespace paygate::test {

struct ReceivedRequest {
  std::string method;
  std::string target;  // as sent: path and query
  std::string path;    // target without the query
  Headers headers;     // in the order received
  std::string body;    // the raw bytes
  std::chrono::steady_clock::time_point received_at;

  // The first header with this name (case-insensitive), or "".
  std::string header(std::string_view name) const;
  // Every value of this header (case-insensitive).
  std::vector<std::string> headers_named(std::string_view name) const;
};

struct ReceiverReply {
  int status = 200;
  std::chrono::milliseconds delay{0};  // waited before answering (others are not held up)
  Headers headers;
  std::string body = "ok";
};

class Receiver {
 public:
  // Listening on 127.0.0.1:<free port> when the constructor returns.
  Receiver();
  ~Receiver();
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  std::uint16_t port() const;
  // "http://127.0.0.1:<port>" + path.
  std::string url(std::string_view path) const;

  // How to answer requests to this path (the target without the query): the
  // replies in order, the last one repeated once they are used up. Replaces
  // the path's earlier sequence and restarts it. A path never configured is
  // answered with the default reply (200 "ok").
  void respond(std::string path, std::vector<ReceiverReply> replies);
  void respond(std::string path, ReceiverReply reply) {
    respond(std::move(path), std::vector<ReceiverReply>{std::move(reply)});
  }
  // Shorthands: statuses in order, no delay, body "ok" (e.g. {500, 200}).
  void respond_statuses(std::string path, const std::vector<int>& statuses);

  // Every request received so far, in order of arrival (recorded as soon as
  // it is read, before any delay).
  std::vector<ReceivedRequest> requests() const;
  // Those to this path.
  std::vector<ReceivedRequest> requests(std::string_view path) const;
  std::size_t count() const;
  std::size_t count(std::string_view path) const;
  // Waits until at least n requests to path have come; true if they did.
  bool wait_for(std::string_view path, std::size_t n,
                std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  // Forgets the recorded requests (not the configured replies).
  void clear();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace paygate::test
