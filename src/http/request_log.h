// The live log of a merchant's API requests: the server reports each request
// as it finishes, and hands it to the merchant's open request streams (each a
// bounded queue of its own, so a slow reader loses its oldest lines, not the
// server's time). Nothing is kept when no stream is open, and no body, secret
// or card data is ever part of an entry.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace paygate::http {

struct LoggedRequest {
  std::string request_id;
  std::string method;
  std::string path;  // without the query
  int status = 0;
  double duration_ms = 0;
  std::optional<std::string> idempotency_key;
  Micros at = 0;
};

class RequestLog {
 public:
  class Reader;

  // Whether a request of this merchant is wanted: cheap when no stream is open.
  bool wants(std::string_view merchant_id) const;
  void add(std::string_view merchant_id, LoggedRequest entry);

  // A reader of the merchant's requests from now on; it stops getting them
  // when destroyed.
  std::shared_ptr<Reader> open(const std::string& merchant_id);

 private:
  void close(const std::string& merchant_id, Reader* r);

  mutable std::mutex mutex_;
  std::atomic<int> readers_{0};
  std::multimap<std::string, Reader*, std::less<>> by_merchant_;
};

class RequestLog::Reader {
 public:
  static constexpr std::size_t kMaxQueued = 1000;

  Reader(RequestLog& log, std::string merchant_id)
      : log_(log), merchant_id_(std::move(merchant_id)) {}
  ~Reader() { log_.close(merchant_id_, this); }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // Called (any thread) when entries arrive.
  void set_waker(std::function<void()> waker);
  // The entries queued since the last take, and how many were dropped.
  std::vector<LoggedRequest> take(std::size_t& dropped);

 private:
  friend class RequestLog;
  void push(const LoggedRequest& entry);

  RequestLog& log_;
  const std::string merchant_id_;
  std::mutex mutex_;
  std::deque<LoggedRequest> queue_;
  std::size_t dropped_ = 0;
  std::function<void()> waker_;
};

}  // namespace paygate::http
