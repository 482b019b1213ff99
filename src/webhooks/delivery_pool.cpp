#include "webhooks/delivery_pool.h"

#include <curl/curl.h>

#include <memory>

#include "core/thread_name.h"

namespace paygate::webhooks {

DeliveryPool::DeliveryPool(int threads) {
  for (int i = 0; i < threads; ++i)
    threads_.push_back(named_thread("webhook-post", [this] { run(); }));
}

DeliveryPool::~DeliveryPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : threads_) t.join();
}

void DeliveryPool::submit(Task task) {
  {
    std::lock_guard lock(mutex_);
    tasks_.push_back(std::move(task));
  }
  ready_.notify_one();
}

void DeliveryPool::run() {
  const std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(),
                                                                 &curl_easy_cleanup);
  for (;;) {
    Task task;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task(curl.get());
  }
}

}  // namespace paygate::webhooks
