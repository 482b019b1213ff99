#include "http/request_log.h"

namespace paygate::http {

bool RequestLog::wants(std::string_view merchant_id) const {
  if (merchant_id.empty() || readers_.load(std::memory_order_relaxed) == 0) return false;
  std::lock_guard lock(mutex_);
  return by_merchant_.find(merchant_id) != by_merchant_.end();
}

void RequestLog::add(std::string_view merchant_id, LoggedRequest entry) {
  std::lock_guard lock(mutex_);
  const auto [first, last] = by_merchant_.equal_range(merchant_id);
  for (auto it = first; it != last; ++it) it->second->push(entry);
}

std::shared_ptr<RequestLog::Reader> RequestLog::open(const std::string& merchant_id) {
  auto reader = std::make_shared<Reader>(*this, merchant_id);
  std::lock_guard lock(mutex_);
  by_merchant_.emplace(merchant_id, reader.get());
  readers_.fetch_add(1, std::memory_order_relaxed);
  return reader;
}

void RequestLog::close(const std::string& merchant_id, Reader* r) {
  std::lock_guard lock(mutex_);
  const auto [first, last] = by_merchant_.equal_range(merchant_id);
  for (auto it = first; it != last; ++it) {
    if (it->second == r) {
      by_merchant_.erase(it);
      readers_.fetch_sub(1, std::memory_order_relaxed);
      return;
    }
  }
}

void RequestLog::Reader::set_waker(std::function<void()> waker) {
  std::lock_guard lock(mutex_);
  waker_ = std::move(waker);
}

void RequestLog::Reader::push(const LoggedRequest& entry) {
  std::function<void()> wake;
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= kMaxQueued) {
      queue_.pop_front();
      ++dropped_;
    }
    queue_.push_back(entry);
    wake = waker_;
  }
  if (wake) wake();
}

std::vector<LoggedRequest> RequestLog::Reader::take(std::size_t& dropped) {
  std::lock_guard lock(mutex_);
  std::vector<LoggedRequest> out(std::make_move_iterator(queue_.begin()),
                                 std::make_move_iterator(queue_.end()));
  queue_.clear();
  dropped = std::exchange(dropped_, 0);
  return out;
}

}  // namespace paygate::http
