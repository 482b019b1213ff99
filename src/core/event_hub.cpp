#include "core/event_hub.h"

#include <spdlog/spdlog.h>

#include <vector>

#include "core/thread_name.h"
#include "store/event_repository.h"

namespace paygate {

Result<std::shared_ptr<void>> StreamCounter::acquire(const std::string& merchant_id) {
  std::lock_guard lock(mutex_);
  if (total_ >= limits_.total) {
    return fail(Error::rate_limited(
        "this server has " + std::to_string(limits_.total) + " streams open, its limit", 5));
  }
  auto& mine = per_merchant_[merchant_id];
  if (mine >= limits_.per_merchant) {
    return fail(Error::rate_limited("this merchant has " + std::to_string(limits_.per_merchant) +
                                        " streams open, its limit; close one first",
                                    5));
  }
  ++mine;
  ++total_;
  return std::shared_ptr<void>(nullptr, [this, merchant_id](void*) {
    std::lock_guard release(mutex_);
    --total_;
    if (auto it = per_merchant_.find(merchant_id); it != per_merchant_.end() && --it->second == 0) {
      per_merchant_.erase(it);
    }
  });
}

EventHub::EventHub(store::Database& db, std::chrono::milliseconds poll)
    : db_(db), poll_(poll), thread_(named_thread("event-hub", [this] { run(); })) {}

EventHub::~EventHub() {
  stop();
}

void EventHub::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<EventHub::Subscription> EventHub::subscribe(const std::string& merchant_id) {
  return std::make_shared<Subscription>(*this, merchant_id);
}

void EventHub::Subscription::set_waker(std::function<void()> waker) {
  std::lock_guard lock(hub_.mutex_);
  hub_.merchants_[merchant_id_].wakers[this] = std::move(waker);
}

void EventHub::remove(const std::string& merchant_id, const Subscription* s) {
  std::lock_guard lock(mutex_);
  auto it = merchants_.find(merchant_id);
  if (it == merchants_.end()) return;
  it->second.wakers.erase(s);
  if (it->second.wakers.empty()) merchants_.erase(it);
}

void EventHub::signal() {
  {
    std::lock_guard lock(mutex_);
    signalled_ = true;
  }
  changed_.notify_one();
}

void EventHub::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    changed_.wait_for(lock, poll_, [this] { return signalled_ || stopping_; });
    if (stopping_) break;
    signalled_ = false;
    if (merchants_.empty()) continue;
    lock.unlock();
    look();
    lock.lock();
  }
}

// Reads the newest event number of every merchant with a stream, and wakes
// the streams of those whose number grew.
void EventHub::look() {
  std::vector<std::string> ids;
  {
    std::lock_guard lock(mutex_);
    ids.reserve(merchants_.size());
    for (const auto& [id, m] : merchants_) ids.push_back(id);
  }
  std::vector<std::int64_t> seqs(ids.size(), 0);
  const Status read = store::read_sync(db_, [&](store::Connection& c) -> Status {
    for (std::size_t i = 0; i < ids.size(); ++i) {
      auto seq = store::latest_event_seq(c, ids[i]);
      if (!seq) return fail(seq.error());
      seqs[i] = *seq;
    }
    return {};
  });
  if (!read) {
    // The next signal or poll tries again; streams keep their heartbeats.
    spdlog::warn("event streams: cannot read the events log: {}", read.error().description);
    return;
  }
  std::vector<std::function<void()>> to_wake;
  {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      auto it = merchants_.find(ids[i]);
      if (it == merchants_.end()) continue;
      // A merchant's first look wakes its streams too: one may have read just
      // before an event this look is the first to see.
      const bool grew = it->second.seq < 0 || seqs[i] > it->second.seq;
      it->second.seq = seqs[i];
      if (!grew) continue;
      for (const auto& [s, wake] : it->second.wakers) to_wake.push_back(wake);
    }
  }
  for (const auto& wake : to_wake) wake();
}

}  // namespace paygate
