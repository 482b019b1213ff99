// Wakes the live event streams of a merchant when the merchant's events log
// has grown. One thread per process keeps, for each merchant with a stream,
// the number of its newest event; it looks again when a transaction signals
// the log (store::kEventsChannel: this process's commits, and on PostgreSQL
// every process's) and every poll period (what no signal can tell: another
// SQLite process's commits). A stream that is woken reads what it has not
// sent; the hub itself sends nothing, so a lost or spurious wake costs at most
// a poll period or a read.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/error.h"
#include "store/database.h"

namespace paygate {

struct StreamLimits {
  int total = 1000;  // streams open in this process
  int per_merchant = 20;
};

// Counts open streams against StreamLimits (event and request streams alike).
class StreamCounter {
 public:
  explicit StreamCounter(StreamLimits limits) : limits_(limits) {}
  // A slot for one more of the merchant's streams, released when the result
  // is destroyed; a 429 when a limit is reached.
  Result<std::shared_ptr<void>> acquire(const std::string& merchant_id);

 private:
  const StreamLimits limits_;
  std::mutex mutex_;
  int total_ = 0;
  std::map<std::string, int, std::less<>> per_merchant_;
};

class EventHub {
 public:
  class Subscription;

  EventHub(store::Database& db, std::chrono::milliseconds poll);
  ~EventHub();
  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;

  // Registers a stream of the merchant's events; it is woken through
  // set_waker's function until the subscription is destroyed.
  std::shared_ptr<Subscription> subscribe(const std::string& merchant_id);
  // Look again now (any thread): the database's signal.
  void signal();
  void stop();

 private:
  struct Merchant {
    std::int64_t seq = -1;  // newest event seen; -1 until first read
    std::map<const Subscription*, std::function<void()>> wakers;
  };
  void run();
  void look();
  void remove(const std::string& merchant_id, const Subscription* s);

  store::Database& db_;
  const std::chrono::milliseconds poll_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool signalled_ = false;
  bool stopping_ = false;
  std::map<std::string, Merchant, std::less<>> merchants_;
  std::thread thread_;
};

class EventHub::Subscription {
 public:
  Subscription(EventHub& hub, std::string merchant_id)
      : hub_(hub), merchant_id_(std::move(merchant_id)) {}
  ~Subscription() { hub_.remove(merchant_id_, this); }
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  // The function that wakes the stream (a StreamSink's waker).
  void set_waker(std::function<void()> waker);

 private:
  EventHub& hub_;
  const std::string merchant_id_;
};

}  // namespace paygate
