// The HTTP/1.1 server: Boost.Beast on Asio, one io_context per thread, each
// connection a coroutine. It owns timeouts, body and connection limits,
// request ids and graceful shutdown; everything else is the router's.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

#include "config/config.h"
#include "http/http_metrics.h"
#include "http/request_log.h"
#include "http/router.h"

namespace paygate::http {

class Server {
 public:
  // metrics may be null (no request metrics kept); so may request_log (no
  // live request streams).
  Server(const Config& config, const Router& router, HttpMetrics* metrics = nullptr,
         RequestLog* request_log = nullptr);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening socket; a clear error when it cannot.
  Status listen();
  std::uint16_t port() const { return port_; }
  // Serves on config.threads threads until shutdown() has finished. on_ready,
  // when given, runs on the accept thread once connections are being accepted.
  void run(std::function<void()> on_ready = {});
  // Posts f to every I/O thread and the accept thread (for the watchdog: an
  // answer from each shows none is stuck); returns how many.
  int post_to_io_threads(const std::function<void()>& f);
  // Stops accepting, lets requests in flight finish (up to the configured
  // timeout), closes idle connections; run() then returns. Thread-safe.
  void shutdown();

 private:
  struct Connection;
  boost::asio::awaitable<void> accept_loop();
  // Serves an accepted socket on context (or refuses it, at max_connections).
  void start(boost::asio::ip::tcp::socket socket, boost::asio::io_context& context);
  boost::asio::awaitable<void> serve(std::shared_ptr<Connection> conn);
  boost::asio::awaitable<void> refuse(boost::asio::ip::tcp::socket socket);
  boost::asio::awaitable<void> drain_and_stop();

  const Config& config_;
  const Router& router_;
  HttpMetrics* metrics_;
  RequestLog* request_log_;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  // The listening socket, and the thread that only accepts (accept_loop).
  boost::asio::io_context accept_context_{1};
  boost::asio::ip::tcp::acceptor acceptor_;
  std::thread accept_thread_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> open_connections_{0};
  std::mutex connections_mutex_;
  std::unordered_set<std::shared_ptr<Connection>> connections_;
  std::vector<std::thread> threads_;
};

}  // namespace paygate::http
