#include "http/server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "core/ids.h"
#include "core/thread_name.h"
#include "http/beast_request.h"
#include "http/listen_limits.h"
#include "http/response_head.h"
#include "logging/log.h"

namespace paygate::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

bool is_valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

// Writes the answer to reply: its head rendered into head (the connection's
// own buffer, reused) and its body, in one gathered write.
asio::awaitable<beast::error_code> write_reply(beast::tcp_stream& stream, std::string& head,
                                               const Reply& reply, std::string_view request_id,
                                               unsigned version, bool keep_alive) {
  const bool has_body = render_response_head(head, reply, request_id, version, keep_alive);
  const std::array<asio::const_buffer, 2> buffers{
      asio::buffer(head), has_body ? asio::buffer(reply.body) : asio::const_buffer()};
  auto [ec, n] = co_await asio::async_write(stream, buffers, kNoThrow);
  co_return ec;
}

// The error a failed read of a request turns into, if the client should hear
// one; none when the client simply went away.
std::optional<Error> read_error(const beast::error_code& ec, std::size_t body_limit) {
  if (ec == bhttp::error::body_limit) {
    return Error::with_status(
        ErrorCode::payload_too_large, 413,
        "the request body is larger than " + std::to_string(body_limit) + " bytes");
  }
  if (ec == bhttp::error::header_limit) {
    return Error::with_status(ErrorCode::bad_request, 431, "the request headers are too large");
  }
  // A timeout needs no answer: tcp_stream has already closed the socket.
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) return std::nullopt;
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) {
    return Error::bad_request("malformed HTTP request: " + ec.message());
  }
  return std::nullopt;
}

// What a stream's waker and the server's shutdown reach: touched only on the
// connection's executor (they post there), so it needs no lock.
struct StreamState {
  explicit StreamState(asio::any_io_executor ex) : executor(ex), timer(ex) {}
  asio::any_io_executor executor;
  asio::steady_timer timer;
  bool woken = false;
  bool stopping = false;
  bool client_gone = false;  // the client closed its side (seen by a read)

  void wake() {
    woken = true;
    timer.cancel();
  }
  void stop() {
    stopping = true;
    timer.cancel();
  }
  void gone() {
    client_gone = true;
    timer.cancel();
  }
};

// Reads (and drops) whatever the client of a stream sends, so that its going
// away is seen at once rather than at the next heartbeat's failed write: the
// stream's place under the limits is given back when the client leaves.
asio::awaitable<void> watch_stream_client(beast::tcp_stream& stream,
                                          std::shared_ptr<StreamState> state) {
  std::array<char, 512> sink;
  for (;;) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), kNoThrow);
    if (ec) break;
  }
  state->gone();
}

class ConnectionSink final : public StreamSink {
 public:
  ConnectionSink(beast::tcp_stream& stream, std::shared_ptr<StreamState> state,
                 std::chrono::milliseconds write_timeout)
      : stream_(stream), state_(std::move(state)), write_timeout_(write_timeout) {}

  asio::awaitable<bool> write(std::string_view bytes) override {
    if (stopping()) co_return false;
    // A client that stops reading holds no more than one write's timeout.
    stream_.expires_after(write_timeout_);
    auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(bytes), kNoThrow);
    stream_.expires_never();
    failed_ = static_cast<bool>(ec);
    co_return !stopping();
  }

  asio::awaitable<bool> wait(std::chrono::milliseconds timeout) override {
    if (!state_->woken && !stopping()) {
      state_->timer.expires_after(timeout);
      (void)co_await state_->timer.async_wait(kNoThrow);
    }
    co_return std::exchange(state_->woken, false);
  }

  std::function<void()> waker() const override {
    return [weak = std::weak_ptr<StreamState>(state_)] {
      if (auto state = weak.lock()) asio::post(state->executor, [state] { state->wake(); });
    };
  }

  bool stopping() const override { return state_->stopping || state_->client_gone || failed_; }

 private:
  beast::tcp_stream& stream_;
  std::shared_ptr<StreamState> state_;
  const std::chrono::milliseconds write_timeout_;
  bool failed_ = false;
};

}  // namespace

struct Server::Connection {
  explicit Connection(tcp::socket s) : stream(std::move(s)) {}
  beast::tcp_stream stream;
  std::string remote;  // set by serve(), on the connection's own thread
  bool idle = true;    // waiting for a request to start; read and written on its own thread only
  std::shared_ptr<StreamState> streaming;  // while a streamed reply is written; same thread
};

Server::Server(const Config& config, const Router& router, HttpMetrics* metrics,
               RequestLog* request_log)
    : config_(config),
      router_(router),
      metrics_(metrics),
      request_log_(request_log),
      contexts_([&] {
        std::vector<std::unique_ptr<asio::io_context>> v;
        for (int i = 0; i < std::max(1, config.threads); ++i) {
          v.push_back(std::make_unique<asio::io_context>(1));
        }
        return v;
      }()),
      acceptor_(accept_context_) {}

Server::~Server() {
  accept_context_.stop();
  if (accept_thread_.joinable()) accept_thread_.join();
  for (auto& c : contexts_) c->stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

Status Server::listen() {
  beast::error_code ec;
  tcp::endpoint endpoint;
  auto address = asio::ip::make_address(config_.listen_host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, config_.listen_port);
  } else {
    tcp::resolver resolver(*contexts_[0]);
    auto results = resolver.resolve(config_.listen_host, std::to_string(config_.listen_port), ec);
    if (ec || results.empty()) {
      return fail(
          Error::bad_request("cannot resolve listen host " + config_.listen_host, "listen"));
    }
    endpoint = results.begin()->endpoint();
  }
  const auto where = config_.listen_host + ":" + std::to_string(config_.listen_port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  // A burst of connects waits in this queue until accepted; one that finds
  // it full is dropped and retried by the client a second later or more.
  const int backlog = listen_backlog();
  if (!ec) acceptor_.listen(backlog, ec);
  // The accept loop takes connections until none is waiting (accept_loop).
  if (!ec) acceptor_.non_blocking(true, ec);
  if (ec) {
    return fail(Error::service_unavailable("cannot listen on " + where + ": " + ec.message()));
  }
  port_ = acceptor_.local_endpoint().port();
  // Every connection is a file descriptor, and so is every database
  // connection, log file and webhook delivery: keep room for those.
  constexpr std::uint64_t kOtherFiles = 256;
  const OpenFileLimit files = raise_open_file_limit();
  const auto wanted = static_cast<std::uint64_t>(config_.max_connections) + kOtherFiles;
  if (files.soft < wanted) {
    spdlog::warn(
        "open files limited to {} (hard {}): fewer than max connections ({}) need; raise "
        "LimitNOFILE / ulimit -n (docs/DEPLOYMENT.md)",
        files.soft, files.hard, config_.max_connections);
  }
  spdlog::info("connections: listen backlog {}, open files {} (hard {}), max connections {}",
               backlog, files.soft, files.hard, config_.max_connections);
  return {};
}

void Server::run(std::function<void()> on_ready) {
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (auto& c : contexts_) guards.push_back(asio::make_work_guard(*c));
  auto accepting = asio::make_work_guard(accept_context_);
  asio::co_spawn(accept_context_, accept_loop(), asio::detached);
  // Queued behind the accept loop's start on the accept thread: it runs once
  // the first accept waits.
  if (on_ready) asio::post(accept_context_, std::move(on_ready));
  accept_thread_ = named_thread("http-accept", [this] { accept_context_.run(); });
  for (std::size_t i = 1; i < contexts_.size(); ++i) {
    threads_.push_back(
        named_thread("http-io-" + std::to_string(i), [c = contexts_[i].get()] { c->run(); }));
  }
  contexts_[0]->run();
  for (auto& t : threads_) t.join();
  threads_.clear();
  accept_context_.stop();
  accept_thread_.join();
  beast::error_code ec;
  acceptor_.close(ec);  // if the stop came before the close drain_and_stop posted
}

int Server::post_to_io_threads(const std::function<void()>& f) {
  asio::post(accept_context_, f);
  for (auto& c : contexts_) asio::post(*c, f);
  return static_cast<int>(contexts_.size()) + 1;
}

void Server::shutdown() {
  asio::post(*contexts_[0], [this] {
    if (stopping_.exchange(true)) return;
    asio::co_spawn(*contexts_[0], drain_and_stop(), asio::detached);
  });
}

asio::awaitable<void> Server::drain_and_stop() {
  // The acceptor belongs to the accepting thread.
  asio::post(accept_context_, [this] {
    beast::error_code ec;
    acceptor_.close(ec);
  });
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(config_.shutdown_timeout_ms);
  asio::steady_timer timer(*contexts_[0]);
  for (;;) {
    {
      // A connection between requests is closed now; one with a request in
      // flight finishes it and then closes itself, as it sees stopping_.
      std::lock_guard lock(connections_mutex_);
      for (const auto& conn : connections_) {
        asio::post(conn->stream.get_executor(), [conn] {
          if (conn->idle) conn->stream.close();
          if (conn->streaming) conn->streaming->stop();
        });
      }
    }
    if (open_connections_.load() == 0 || std::chrono::steady_clock::now() >= deadline) break;
    timer.expires_after(std::chrono::milliseconds(10));
    co_await timer.async_wait(kNoThrow);
  }
  if (open_connections_.load() > 0) {
    spdlog::warn("shutdown: {} connections still open after {} ms, closing them",
                 open_connections_.load(), config_.shutdown_timeout_ms);
  }
  accept_context_.stop();
  for (auto& c : contexts_) c->stop();
}

// On a thread of its own, which serves no connection: a burst of connects
// is taken from the kernel's queue as fast as it arrives, not after the
// requests that are ready on an I/O thread (a connect that finds the queue
// full waits a second or more for the client's kernel to try again). It
// waits until connections are waiting, then takes them all with
// non-blocking accepts, and only hands each socket on; anything that costs
// more (options, peer address) is done by the connection's own thread, in
// serve().
asio::awaitable<void> Server::accept_loop() {
  constexpr int kAcceptBatch = 512;
  std::size_t next = 0;
  asio::steady_timer backoff(accept_context_);
  while (!stopping_) {
    auto [wait_ec] = co_await acceptor_.async_wait(tcp::acceptor::wait_read, kNoThrow);
    if (stopping_ || wait_ec == asio::error::operation_aborted) co_return;
    for (int i = 0; i < kAcceptBatch && !stopping_; ++i) {
      auto& context = *contexts_[next % contexts_.size()];
      tcp::socket socket(context);
      beast::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) break;
      if (ec) {
        // Out of file descriptors or similar: wait a little rather than spin.
        spdlog::warn("accept failed: {}", ec.message());
        backoff.expires_after(std::chrono::milliseconds(10));
        co_await backoff.async_wait(kNoThrow);
        break;
      }
      ++next;
      start(std::move(socket), context);
    }
  }
}

void Server::start(tcp::socket socket, asio::io_context& context) {
  if (open_connections_.load() >= config_.max_connections) {
    asio::co_spawn(context, refuse(std::move(socket)), asio::detached);
    return;
  }
  auto conn = std::make_shared<Connection>(std::move(socket));
  ++open_connections_;
  {
    std::lock_guard lock(connections_mutex_);
    connections_.insert(conn);
  }
  asio::co_spawn(context, serve(conn), [this, conn](const std::exception_ptr& e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("connection from {} ended by an exception: {}", conn->remote, ex.what());
      }
    }
    {
      std::lock_guard lock(connections_mutex_);
      connections_.erase(conn);
    }
    --open_connections_;
  });
}

asio::awaitable<void> Server::refuse(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  stream.expires_after(std::chrono::seconds(1));
  const std::string id = new_request_id();
  std::string head;
  co_await write_reply(
      stream, head,
      error_reply(Error::service_unavailable("the server has too many open connections"), id), id,
      11, false);
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
}

asio::awaitable<void> Server::serve(std::shared_ptr<Connection> conn) {
  auto& stream = conn->stream;
  {
    beast::error_code ec;
    stream.socket().set_option(tcp::no_delay(true), ec);
    const auto peer = stream.socket().remote_endpoint(ec);
    if (!ec) conn->remote = peer.address().to_string();
  }
  beast::flat_buffer buffer;
  std::string head;  // of each answer, rendered here
  const auto read_timeout = std::chrono::milliseconds(config_.read_timeout_ms);
  bool linger = false;  // the client may still be sending a body we will not read

  for (;;) {
    if (buffer.size() == 0) {
      // Between requests: only the idle timeout applies, and shutdown may close us.
      if (stopping_) break;
      conn->idle = true;
      stream.expires_after(std::chrono::milliseconds(config_.idle_timeout_ms));
      auto [ec, n] = co_await stream.async_read_some(buffer.prepare(8192), kNoThrow);
      conn->idle = false;
      if (ec) break;
      buffer.commit(n);
    }

    // From its first byte, the whole request must arrive within read_timeout.
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(config_.max_body_bytes);
    stream.expires_after(read_timeout);
    auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, kNoThrow);
    // A Transfer-Encoding that does not end in chunked leaves the body's end
    // to whoever reads it: a proxy and we could disagree (request smuggling).
    if (!ec && parser.get().count(bhttp::field::transfer_encoding) > 0 && !parser.chunked()) {
      ec = bhttp::error::bad_transfer_encoding;
    }
    if (!ec && !parser.is_done()) {
      const auto expect = parser.get()[bhttp::field::expect];
      if (beast::iequals(expect, "100-continue")) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(kContinue), kNoThrow);
        ec = wec;
      }
      if (!ec) std::tie(ec, n) = co_await bhttp::async_read(stream, buffer, parser, kNoThrow);
    }
    if (ec) {
      const auto error = read_error(ec, config_.max_body_bytes);
      if (!error) break;
      const std::string id = new_request_id();
      stream.expires_after(read_timeout);
      co_await write_reply(stream, head, error_reply(*error, id), id, 11, false);
      linger = true;
      break;
    }

    const auto started = std::chrono::steady_clock::now();
    auto& req = parser.get();
    const std::string_view given_id = req["X-Request-Id"];
    const std::string request_id =
        is_valid_request_id(given_id) ? std::string(given_id) : new_request_id();

    Request request = request_view(req);
    request.request_id = request_id;
    request.remote_address = conn->remote;
    RequestNotes notes;
    request.notes = &notes;
    request.render_error = router_.error_renderer(request.path);

    Reply reply;
    std::optional<std::size_t> route;
    std::string_view route_pattern = "unmatched";
    if (!request.path.starts_with('/')) {
      reply = error_reply(Error::bad_request("the request target must be a path"), request);
    } else {
      const auto match = router_.match(request.method, request.path);
      if (match.handler == nullptr) {
        if (match.path_known) {
          reply = error_reply(
              Error::with_status(ErrorCode::bad_request, 405,
                                 std::string(to_string(request.method)) + " is not allowed on " +
                                     std::string(request.path) + "; allowed: " + match.allow),
              request);
          reply.headers.emplace_back("Allow", match.allow);
        } else {
          reply = error_reply(
              Error::no_route("no route for " + std::string(request.path.substr(0, 200))), request);
        }
      } else {
        request.path_params = match.params;
        route = match.route;
        route_pattern = match.pattern;
        Result<Reply> result = fail(Error::internal("handler did not answer"));
        try {
          result = co_await (*match.handler)(request);
        } catch (const std::exception& e) {
          result = fail(Error::internal(std::string("exception: ") + e.what()));
        }
        reply = reply_for(std::move(result), request, match.pattern);
      }
    }

    const bool keep_alive = req.keep_alive() && !stopping_ && !reply.stream;
    stream.expires_after(read_timeout);
    auto wec = co_await write_reply(stream, head, reply, request_id, req.version(), keep_alive);
    if (!wec && reply.stream) {
      stream.expires_never();
      // Nothing more is read into it: a stream holds no read buffer.
      buffer.clear();
      buffer.shrink_to_fit();
      conn->streaming = std::make_shared<StreamState>(stream.get_executor());
      // A stream that began as shutdown started ends at once.
      if (stopping_) conn->streaming->stop();
      // The watcher holds the connection (and so the stream it reads) until
      // its read ends, which closing the socket below makes it do.
      asio::co_spawn(
          stream.get_executor(),
          [conn, state = conn->streaming]() { return watch_stream_client(conn->stream, state); },
          asio::detached);
      ConnectionSink sink(stream, conn->streaming, read_timeout);
      try {
        co_await reply.stream(sink);
      } catch (const std::exception& e) {
        spdlog::error("stream {} ended by an exception: {}", request_id, e.what());
      }
      conn->streaming.reset();
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (metrics_ != nullptr) metrics_->record(route, request.method, reply.status, seconds);
    if (request_log_ != nullptr && !reply.stream && request_log_->wants(notes.merchant_id)) {
      const auto key = request.find_header("Idempotency-Key");
      request_log_->add(
          notes.merchant_id,
          LoggedRequest{request_id, std::string(to_string(request.method)),
                        std::string(request.path.substr(0, 2048)), reply.status, seconds * 1000,
                        key ? std::optional<std::string>(key->substr(0, 255)) : std::nullopt,
                        now_micros()});
    }
    logging::event(spdlog::level::info, "request",
                   {{"request_id", request_id},
                    {"merchant_id", notes.merchant_id},
                    {"method", to_string(request.method)},
                    {"route", route_pattern},
                    {"status", std::int64_t{reply.status}},
                    {"duration_ms", seconds * 1000},
                    {"remote", conn->remote}});
    if (wec || !keep_alive) break;
  }

  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (linger && !ec) {
    // Read what the client still sends (briefly), so that closing with unread
    // data does not reset the connection before it has read our answer.
    stream.expires_after(std::chrono::seconds(1));
    std::array<char, 4096> sink;
    for (std::size_t total = 0; total < 4 * 1024 * 1024;) {
      auto [rec, n] = co_await stream.async_read_some(asio::buffer(sink), kNoThrow);
      if (rec) break;
      total += n;
    }
  }
  stream.close();
}

}  // namespace paygate::http
