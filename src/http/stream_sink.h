// A reply whose body is written over time (Server-Sent Events). The handler
// answers with Reply::stream set; the server sends the head (no length, the
// connection closes when the body ends), then runs the stream with a sink
// that writes to the client and waits between writes.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <string_view>

namespace paygate::http {

class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // Writes bytes to the client now; false once the client is gone or the
  // server is stopping (the stream should return).
  virtual boost::asio::awaitable<bool> write(std::string_view bytes) = 0;
  // Returns after timeout, or sooner when woken (see waker) or when the server
  // starts to stop. Whether it was woken.
  virtual boost::asio::awaitable<bool> wait(std::chrono::milliseconds timeout) = 0;
  // A function that wakes wait(), callable from any thread at any time, also
  // after the stream has ended (it then does nothing). A wake that comes while
  // the stream is not waiting is kept for its next wait.
  virtual std::function<void()> waker() const = 0;
  virtual bool stopping() const = 0;
};

using StreamBody = std::function<boost::asio::awaitable<void>(StreamSink&)>;

}  // namespace paygate::http
