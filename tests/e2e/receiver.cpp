#include "receiver.h"

#include <strings.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <thread>
#include <utility>

namespace paygate::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::string ReceivedRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (same_name(k, name)) return v;
  }
  return {};
}

std::vector<std::string> ReceivedRequest::headers_named(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : headers) {
    if (same_name(k, name)) out.push_back(v);
  }
  return out;
}

struct Receiver::Impl {
  asio::io_context context{1};
  asio::executor_work_guard<asio::io_context::executor_type> work{context.get_executor()};
  tcp::acceptor acceptor{context};
  std::uint16_t port = 0;
  std::thread thread;

  mutable std::mutex mutex;
  std::vector<ReceivedRequest> received;
  struct Script {
    std::vector<ReceiverReply> replies;
    std::size_t next = 0;
  };
  std::map<std::string, Script, std::less<>> scripts;

  // Records the request and picks its reply.
  ReceiverReply take(ReceivedRequest request) {
    std::lock_guard lock(mutex);
    ReceiverReply reply;
    if (auto it = scripts.find(request.path); it != scripts.end() && !it->second.replies.empty()) {
      Script& s = it->second;
      reply = s.replies[std::min(s.next, s.replies.size() - 1)];
      if (s.next < s.replies.size()) ++s.next;
    }
    received.push_back(std::move(request));
    return reply;
  }

  asio::awaitable<void> serve(tcp::socket socket) {
    beast::flat_buffer buffer;
    for (;;) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.body_limit(64 * 1024 * 1024);
      auto [read_ec, read_n] = co_await bhttp::async_read(socket, buffer, parser, kNoThrow);
      if (read_ec) co_return;
      auto req = parser.release();

      ReceivedRequest r;
      r.method = std::string(req.method_string());
      r.target = std::string(req.target());
      r.path = r.target.substr(0, r.target.find('?'));
      for (const auto& f : req) r.headers.emplace_back(f.name_string(), f.value());
      r.body = std::move(req.body());
      r.received_at = std::chrono::steady_clock::now();
      const ReceiverReply reply = take(std::move(r));

      if (reply.delay.count() > 0) {
        asio::steady_timer timer(socket.get_executor(), reply.delay);
        co_await timer.async_wait(kNoThrow);
      }
      bhttp::response<bhttp::string_body> res;
      res.version(req.version());
      res.result(static_cast<unsigned>(reply.status));
      res.set(bhttp::field::server, "paygate-test-receiver");
      res.set(bhttp::field::content_type, "text/plain");
      for (const auto& [k, v] : reply.headers) res.set(k, v);
      res.body() = reply.body;
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      auto [write_ec, write_n] = co_await bhttp::async_write(socket, res, kNoThrow);
      if (write_ec || !res.keep_alive()) co_return;
    }
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(kNoThrow);
      if (ec) {
        if (!acceptor.is_open()) co_return;
        continue;
      }
      asio::co_spawn(context, serve(std::move(socket)), asio::detached);
    }
  }
};

Receiver::Receiver() : impl_(std::make_unique<Impl>()) {
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  asio::co_spawn(impl_->context, impl_->accept_loop(), asio::detached);
  impl_->thread = std::thread([this] { impl_->context.run(); });
}

Receiver::~Receiver() {
  // Stops at once, whatever is in flight (delayed replies are abandoned); the
  // connections close when the context goes.
  impl_->context.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::uint16_t Receiver::port() const {
  return impl_->port;
}

std::string Receiver::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(impl_->port) + std::string(path);
}

void Receiver::respond(std::string path, std::vector<ReceiverReply> replies) {
  std::lock_guard lock(impl_->mutex);
  impl_->scripts[std::move(path)] = Impl::Script{std::move(replies), 0};
}

void Receiver::respond_statuses(std::string path, const std::vector<int>& statuses) {
  std::vector<ReceiverReply> replies;
  for (int s : statuses) replies.push_back(ReceiverReply{s, {}, {}, "ok"});
  respond(std::move(path), std::move(replies));
}

std::vector<ReceivedRequest> Receiver::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->received;
}

std::vector<ReceivedRequest> Receiver::requests(std::string_view path) const {
  std::lock_guard lock(impl_->mutex);
  std::vector<ReceivedRequest> out;
  for (const auto& r : impl_->received) {
    if (r.path == path) out.push_back(r);
  }
  return out;
}

std::size_t Receiver::count() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->received.size();
}

std::size_t Receiver::count(std::string_view path) const {
  std::lock_guard lock(impl_->mutex);
  std::size_t n = 0;
  for (const auto& r : impl_->received) n += r.path == path ? 1 : 0;
  return n;
}

bool Receiver::wait_for(std::string_view path, std::size_t n,
                        std::chrono::milliseconds timeout) const {
  return eventually([&] { return count(path) >= n; }, timeout);
}

void Receiver::clear() {
  std::lock_guard lock(impl_->mutex);
  impl_->received.clear();
}

}  // namespace paygate::test
