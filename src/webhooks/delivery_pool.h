// Threads that make the webhook HTTP calls, so that no I/O or worker thread
// ever waits on a receiver; each keeps its own libcurl handle (and so its
// kept-alive connections). A slow receiver holds one thread, not the others.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "webhooks/http_post.h"

namespace paygate::webhooks {

class DeliveryPool {
 public:
  explicit DeliveryPool(int threads);
  ~DeliveryPool();
  DeliveryPool(const DeliveryPool&) = delete;
  DeliveryPool& operator=(const DeliveryPool&) = delete;

  // Makes the POST on a pool thread; the caller's coroutine resumes on its
  // own executor with the result.
  boost::asio::awaitable<PostResult> post(PostRequest request) {
    return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>, void(PostResult)>(
        [this, request = std::move(request)](auto handler) mutable {
          auto ex = boost::asio::prefer(boost::asio::get_associated_executor(handler),
                                        boost::asio::execution::outstanding_work.tracked);
          submit([request = std::move(request), h = std::move(handler),
                  ex = std::move(ex)](CURL* curl) mutable {
            PostResult result = http_post(curl, request);
            boost::asio::dispatch(ex, [h = std::move(h), r = std::move(result)]() mutable {
              std::move(h)(std::move(r));
            });
          });
        },
        boost::asio::use_awaitable);
  }

 private:
  using Task = std::move_only_function<void(CURL*)>;
  void submit(Task task);
  void run();

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Task> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace paygate::webhooks
