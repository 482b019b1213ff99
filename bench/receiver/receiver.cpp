// A webhook receiver for benchmarks: answers every request 200, at once or
// after DELAY_MS (a slow merchant; the others are not held up), and counts
// them; prints the count when it gets SIGINT or SIGTERM.
//   paygate_bench_receiver PORT [DELAY_MS]
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

asio::awaitable<void> serve(tcp::socket socket, std::atomic<long>& count,
                            std::chrono::milliseconds delay) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  asio::steady_timer timer(stream.get_executor());
  for (;;) {
    http::request<http::string_body> req;
    auto [ec, n] = co_await http::async_read(stream, buffer, req, asio::as_tuple(asio::use_awaitable));
    if (ec) break;
    count.fetch_add(1, std::memory_order_relaxed);
    if (delay.count() > 0) {
      timer.expires_after(delay);
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.body() = "ok";
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    auto [wec, wn] = co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
    if (wec || !req.keep_alive()) break;
  }
}

asio::awaitable<void> listen(tcp::acceptor& acceptor, std::atomic<long>& count,
                             std::chrono::milliseconds delay) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    asio::co_spawn(acceptor.get_executor(), serve(std::move(socket), count, delay),
                   asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 && argc != 3) {
    std::fprintf(stderr, "usage: paygate_bench_receiver PORT [DELAY_MS]\n");
    return 2;
  }
  const std::chrono::milliseconds delay(argc == 3 ? std::stoi(argv[2]) : 0);
  asio::io_context io(1);
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                                           static_cast<unsigned short>(std::stoi(argv[1]))));
  std::atomic<long> count{0};
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](auto, int) {
    std::printf("%ld\n", count.load());
    std::fflush(stdout);
    io.stop();
  });
  asio::co_spawn(io, listen(acceptor, count, delay), asio::detached);
  io.run();
  return 0;
}
