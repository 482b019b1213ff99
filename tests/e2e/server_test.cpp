// The HTTP server itself, end to end: routing errors, body limits, request
// ids, keep-alive, malformed and slow clients, timeouts, the connection limit,
// graceful shutdown and Expect: 100-continue.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"

namespace paygate::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kOrders = "/api/v1/orders";

ServerOptions options_with_args(std::vector<std::string> args) {
  ServerOptions options;
  options.args = std::move(args);
  return options;
}

// The head of a request, ending with the blank line.
std::string request_head(std::string_view method, std::string_view target,
                         const Headers& headers = {}, std::optional<std::size_t> length = {}) {
  std::string out = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\n";
  out += "Host: 127.0.0.1\r\n";
  for (const auto& [k, v] : headers) out += k + ": " + v + "\r\n";
  if (length) {
    out += "Content-Type: application/json\r\n";
    out += "Content-Length: " + std::to_string(*length) + "\r\n";
  }
  out += "\r\n";
  return out;
}

std::string full_request(std::string_view method, std::string_view target,
                         std::string_view body = {}, const Headers& headers = {}) {
  const bool has_body = !body.empty() || method == "POST";
  return request_head(method, target, headers,
                      has_body ? std::optional<std::size_t>(body.size()) : std::nullopt) +
         std::string(body);
}

Headers with(Headers h, std::string name, std::string value) {
  h.emplace_back(std::move(name), std::move(value));
  return h;
}

void expect_json_error(const HttpResponse& res, int status, std::string_view code) {
  EXPECT_EQ(res.status, status) << res.body;
  EXPECT_EQ(res.header("Content-Type"), "application/json");
  EXPECT_EQ(res.error_code(), code) << res.body;
  if (res.error_code().empty()) return;
  const auto error = res.json().at("error").as_object();
  EXPECT_TRUE(error.at("description").is_string());
  EXPECT_EQ(std::string(error.at("request_id").as_string()), res.header("X-Request-Id"))
      << res.body;
}

// A JSON order body of exactly size bytes (padded with spaces).
std::string order_body_of_size(std::size_t size) {
  std::string body = R"({"amount": 500})";
  if (body.size() < size) body.insert(body.size() - 1, size - body.size(), ' ');
  return body;
}

std::int64_t ms_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// ---------------------------------------------------------------- routing

TEST(Server, UnknownRouteIs404Json) {
  auto server = TestServer::start();
  for (const char* target : {"/nope", "/api/v1/nothing", "/api/v2/orders", "/api/v1/orders/a/b/c",
                             "/api/v1/orders/x?y=z"}) {
    SCOPED_TRACE(target);
    const auto res = server->get(target, demo_auth());
    expect_json_error(res, 404, "NOT_FOUND_ERROR");
  }
}

TEST(Server, WrongMethodIs405WithAllow) {
  auto server = TestServer::start();
  auto client = server->client();
  const auto res = client.request("DELETE", kOrders, {}, demo_auth());
  EXPECT_EQ(res.status, 405) << res.body;
  const std::string allow = res.header("Allow");
  EXPECT_NE(allow.find("GET"), std::string::npos) << allow;
  EXPECT_NE(allow.find("POST"), std::string::npos) << allow;
  EXPECT_EQ(allow.find("DELETE"), std::string::npos) << allow;
  EXPECT_EQ(res.header("Content-Type"), "application/json");
  EXPECT_EQ(res.error_code(), "BAD_REQUEST_ERROR") << res.body;

  const auto put =
      client.request("PUT", "/api/v1/orders/order_AAAAAAAAAAAAAAAA", "{}", demo_auth());
  EXPECT_EQ(put.status, 405) << put.body;
  EXPECT_NE(put.header("Allow").find("GET"), std::string::npos);
  EXPECT_FALSE(put.error_code().empty()) << put.body;

  // The connection is still usable afterwards.
  EXPECT_EQ(client.get("/health").status, 200);
}

// ---------------------------------------------------------------- body limits

TEST(Server, BodyOverTheDefaultLimitIs413) {
  auto server = TestServer::start();
  const auto res = server->post(kOrders, order_body_of_size(70'000), demo_auth());
  expect_json_error(res, 413, "PAYLOAD_TOO_LARGE");
  // Just under the limit is read (and is a valid order).
  EXPECT_EQ(server->post(kOrders, order_body_of_size(60'000), demo_auth()).status, 201);
  EXPECT_TRUE(server->running());
}

TEST(Server, BodyLimitIsConfigurable) {
  auto server = TestServer::start(options_with_args({"--max-body-bytes", "2048"}));
  expect_json_error(server->post(kOrders, order_body_of_size(3000), demo_auth()), 413,
                    "PAYLOAD_TOO_LARGE");
  expect_json_error(server->post(kOrders, order_body_of_size(2049), demo_auth()), 413,
                    "PAYLOAD_TOO_LARGE");
  EXPECT_EQ(server->post(kOrders, order_body_of_size(2048), demo_auth()).status, 201);
}

TEST(Server, ChunkedBodyOverTheLimitIs413) {
  auto server = TestServer::start(options_with_args({"--max-body-bytes", "2048"}));
  RawConnection conn(server->port());
  std::string req =
      "POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + std::string(kDemoKey) +
      "\r\nX-Api-Secret: " + std::string(kDemoSecret) + "\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string chunk(1000, ' ');
  for (int i = 0; i < 3; ++i) req += "3e8\r\n" + chunk + "\r\n";
  req += "0\r\n\r\n";
  conn.send(req);
  expect_json_error(conn.read_response(5s), 413, "PAYLOAD_TOO_LARGE");
}

// ---------------------------------------------------------------- request ids

TEST(Server, GivenRequestIdIsEchoed) {
  auto server = TestServer::start();
  const auto ok = server->get("/health", {{"X-Request-Id", "abc-123_XYZ.9"}});
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.header("X-Request-Id"), "abc-123_XYZ.9");

  const auto err = server->get("/nope", {{"X-Request-Id", "trace-42"}});
  EXPECT_EQ(err.header("X-Request-Id"), "trace-42");
  EXPECT_EQ(err.json().at("error").at("request_id"), "trace-42");
}

TEST(Server, RequestIdIsGeneratedAndUnique) {
  auto server = TestServer::start();
  auto client = server->client();
  std::set<std::string> ids;
  for (int i = 0; i < 10; ++i) {
    const auto res = client.get("/health");
    ASSERT_EQ(res.status, 200);
    const std::string id = res.header("X-Request-Id");
    EXPECT_FALSE(id.empty());
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 10u);

  // A request id that is not a safe token is replaced, not echoed.
  const auto res = client.get("/nope", {{"X-Request-Id", std::string(300, 'a')}});
  const std::string id = res.header("X-Request-Id");
  EXPECT_FALSE(id.empty());
  EXPECT_NE(id, std::string(300, 'a'));
  EXPECT_EQ(std::string(res.json().at("error").at("request_id").as_string()), id);
}

// The given request id is the one value from the client that goes back into
// the answer's head, which the server writes by hand: anything but a plain
// token (spaces, tabs, quotes, bytes over 0x7f, all of which an HTTP parser
// lets through in a header value) is replaced, never echoed.
TEST(Server, RequestIdThatIsNotATokenIsReplaced) {
  auto server = TestServer::start();
  auto client = server->client();
  for (const std::string bad :
       {"two words", "tab\there", "quote\"d", "semi;colon", "caf\xc3\xa9", "a,b", "<x>"}) {
    const auto res = client.get("/health", {{"X-Request-Id", bad}});
    ASSERT_EQ(res.status, 200) << bad;
    const std::string id = res.header("X-Request-Id");
    EXPECT_TRUE(id.starts_with("req_")) << bad << " -> " << id;
    EXPECT_EQ(id.size(), 20U) << bad << " -> " << id;
  }
}

// ---------------------------------------------------------------- keep-alive

TEST(Server, ManyRequestsOnOneKeepAliveConnection) {
  auto server = TestServer::start();
  auto client = server->client();
  for (int i = 0; i < 50; ++i) {
    const auto res = i % 2 == 0 ? client.get("/health")
                                : client.post(kOrders, R"({"amount": 500})", demo_auth());
    ASSERT_EQ(res.status, i % 2 == 0 ? 200 : 201) << i << ": " << res.body;
  }
  // On a raw connection: sequential requests, then pipelined ones, all on one socket.
  RawConnection conn(server->port());
  for (int i = 0; i < 10; ++i) {
    conn.send(full_request("GET", "/health"));
    const auto res = conn.read_response(5s);
    ASSERT_EQ(res.status, 200) << i;
    EXPECT_NE(res.header("Connection"), "close");
  }
  conn.send(full_request("GET", "/health") +
            full_request("POST", kOrders, R"({"amount": 500})", demo_auth()) +
            full_request("GET", "/nope"));
  EXPECT_EQ(conn.read_response(5s).status, 200);
  EXPECT_EQ(conn.read_response(5s).status, 201);
  EXPECT_EQ(conn.read_response(5s).status, 404);
  EXPECT_FALSE(conn.closed_by_server(50ms));
}

TEST(Server, ConnectionCloseIsHonoured) {
  auto server = TestServer::start();
  RawConnection conn(server->port());
  conn.send(full_request("GET", "/health", {}, {{"Connection", "close"}}));
  const auto res = conn.read_response(5s);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.header("Connection"), "close");
  EXPECT_TRUE(conn.closed_by_server(2s));
}

// ---------------------------------------------------------------- malformed and slow clients

TEST(Server, MalformedRequestLineIs400AndServerKeepsServing) {
  auto server = TestServer::start();
  for (const char* garbage :
       {"GARBAGE\r\n\r\n", "GET\r\n\r\n", "GET / HTTP/9.9.9\r\n\r\n",
        "\x01\x02\x03 / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\nBad Header Line\r\n\r\n"}) {
    SCOPED_TRACE(garbage);
    RawConnection conn(server->port());
    conn.send(garbage);
    const auto res = conn.read_response(5s);
    EXPECT_EQ(res.status, 400) << res.body;
    EXPECT_EQ(res.error_code(), "BAD_REQUEST_ERROR") << res.body;
    EXPECT_TRUE(conn.closed_by_server(2s));
    EXPECT_EQ(server->get("/health").status, 200);
  }
  EXPECT_TRUE(server->running());
}

TEST(Server, SlowBodyTimesOutWithoutBlockingOthers) {
  auto server = TestServer::start(options_with_args({"--read-timeout-ms", "500"}));
  RawConnection slow(server->port());
  slow.send(request_head("POST", kOrders, demo_auth(), 100) + std::string(10, ' '));
  const auto start = Clock::now();

  // Meanwhile others are served at once.
  auto client = server->client();
  for (int i = 0; i < 5; ++i) {
    const auto t = Clock::now();
    EXPECT_EQ(client.get("/health").status, 200);
    EXPECT_LT(ms_since(t), 200);
  }

  const auto res = slow.read_response(3s);
  if (res.status != 0) {
    EXPECT_EQ(res.status, 408) << res.body;
    EXPECT_EQ(res.header("Content-Type"), "application/json");
    EXPECT_FALSE(res.error_code().empty()) << res.body;
  }
  EXPECT_TRUE(slow.closed_by_server(1s));
  const auto elapsed = ms_since(start);
  EXPECT_GE(elapsed, 400);
  EXPECT_LT(elapsed, 2500);
  EXPECT_EQ(client.post(kOrders, R"({"amount": 500})", demo_auth()).status, 201);
}

TEST(Server, SlowHeadersTimeOut) {
  auto server = TestServer::start(options_with_args({"--read-timeout-ms", "500"}));
  RawConnection slow(server->port());
  slow.send("GET /health HTTP/1.1\r\nHost: x\r\n");  // never finished
  const auto start = Clock::now();
  const auto res = slow.read_response(3s);
  if (res.status != 0) {
    EXPECT_EQ(res.status, 408) << res.body;
  }
  EXPECT_TRUE(slow.closed_by_server(1s));
  EXPECT_LT(ms_since(start), 2500);
}

TEST(Server, SlowBodyWithinTheTimeoutSucceeds) {
  auto server = TestServer::start(options_with_args({"--read-timeout-ms", "500"}));
  const std::string body = R"({"amount": 4242, "receipt": "slow"})";
  RawConnection conn(server->port());
  conn.send(request_head("POST", kOrders, demo_auth(), body.size()));
  for (std::size_t i = 0; i < body.size(); i += 10) {
    std::this_thread::sleep_for(50ms);
    conn.send(std::string_view(body).substr(i, 10));
  }
  const auto res = conn.read_response(5s);
  ASSERT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(res.json().at("amount").as_int64(), 4242);
}

TEST(Server, IdleKeepAliveConnectionIsClosed) {
  auto server = TestServer::start(options_with_args({"--idle-timeout-ms", "300"}));
  RawConnection conn(server->port());
  conn.send(full_request("GET", "/health"));
  ASSERT_EQ(conn.read_response(5s).status, 200);
  const auto start = Clock::now();
  EXPECT_FALSE(conn.closed_by_server(100ms));  // kept alive for a while
  EXPECT_TRUE(conn.closed_by_server(2s));
  const auto elapsed = ms_since(start);
  EXPECT_GE(elapsed, 250);
  EXPECT_LT(elapsed, 1500);

  // A connection that never sends anything is closed too.
  RawConnection silent(server->port());
  EXPECT_TRUE(silent.closed_by_server(2s));
}

// ---------------------------------------------------------------- connection limit

// A raw connection on which a request was served (so the server counts it).
std::unique_ptr<RawConnection> served_connection(std::uint16_t port) {
  auto conn = std::make_unique<RawConnection>(port);
  conn->send(full_request("GET", "/health"));
  if (conn->read_response(2s).status != 200) return nullptr;
  return conn;
}

TEST(Server, ConnectionLimitRefusesTheFifthAndRecovers) {
  auto server = TestServer::start(options_with_args({"--max-connections", "4"}));
  std::vector<std::unique_ptr<RawConnection>> held;
  // The harness's own health-check connection may take a moment to be released.
  ASSERT_TRUE(eventually(
      [&] {
        held.clear();
        for (int i = 0; i < 4; ++i) {
          auto c = served_connection(server->port());
          if (!c) return false;
          held.push_back(std::move(c));
        }
        return true;
      },
      5s));

  RawConnection fifth(server->port());
  const auto res = fifth.read_response(2s);
  if (res.status != 0) {
    EXPECT_EQ(res.status, 503) << res.body;
    EXPECT_EQ(res.error_code(), "SERVICE_UNAVAILABLE") << res.body;
    EXPECT_EQ(res.header("Content-Type"), "application/json");
  }
  EXPECT_TRUE(fifth.closed_by_server(1s));

  // The four held connections still work.
  for (auto& c : held) {
    c->send(full_request("GET", "/health"));
    EXPECT_EQ(c->read_response(2s).status, 200);
  }

  held.clear();
  EXPECT_TRUE(eventually([&] { return served_connection(server->port()) != nullptr; }, 5s));
  EXPECT_EQ(server->post(kOrders, R"({"amount": 500})", demo_auth()).status, 201);
}

// ---------------------------------------------------------------- shutdown

bool connect_refused(std::uint16_t port) {
  try {
    RawConnection c(port);
    return false;
  } catch (const std::exception&) {
    return true;
  }
}

TEST(Server, SigtermFinishesTheRequestInFlight) {
  auto server = TestServer::start();
  const std::string body = R"({"amount": 31337, "receipt": "in-flight"})";
  const std::size_t half = body.size() / 2;
  RawConnection conn(server->port());
  conn.send(request_head("POST", kOrders, demo_auth(), body.size()) + body.substr(0, half));
  // Let the server read the head (no way to observe it from outside).
  std::this_thread::sleep_for(100ms);
  ASSERT_EQ(::kill(server->pid(), SIGTERM), 0);

  // New connections are refused while the request is still in flight.
  EXPECT_TRUE(eventually([&] { return connect_refused(server->port()); }, 2s));
  std::this_thread::sleep_for(100ms);
  EXPECT_TRUE(server->running());

  conn.send(std::string_view(body).substr(half));
  const auto res = conn.read_response(5s);
  ASSERT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(res.json().at("amount").as_int64(), 31337);
  EXPECT_EQ(res.header("Connection"), "close");
  EXPECT_EQ(server->stop(SIGTERM, 5s), 0);
  EXPECT_TRUE(connect_refused(server->port()));
}

TEST(Server, SigtermOnAnIdleServerExitsQuickly) {
  auto server = TestServer::start();
  // An idle keep-alive connection does not hold the shutdown up.
  auto client = server->client();
  ASSERT_EQ(client.get("/health").status, 200);
  RawConnection silent(server->port());
  const auto start = Clock::now();
  EXPECT_EQ(server->stop(SIGTERM, 3s), 0) << server->log();
  EXPECT_LT(ms_since(start), 1500);
  EXPECT_TRUE(silent.closed_by_server(1s));
  EXPECT_TRUE(connect_refused(server->port()));
}

TEST(Server, SigintAlsoShutsDownCleanly) {
  auto server = TestServer::start();
  EXPECT_EQ(server->stop(SIGINT, 3s), 0);
}

// One GET /api/v1/health on a fresh connection; false on any failure (the
// server may be going away while this runs).
bool health_once(std::uint16_t port) {
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return false;
  const std::string_view request =
      "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  asio::write(socket, asio::buffer(request), ec);
  if (ec) return false;
  std::string answer;
  asio::read(socket, asio::dynamic_buffer(answer), ec);
  return answer.starts_with("HTTP/1.1 200");
}

// Database reads still running when the server stops used to answer into an
// io_context already destroyed (a crash, about 1 in 40 stops): the database
// now ends before the server does.
TEST(Server, StopsCleanlyWithDatabaseReadsInFlight) {
  for (int round = 0; round < 8; ++round) {
    auto server = TestServer::start();
    std::atomic<bool> done{false};
    std::atomic<int> answered{0};
    std::vector<std::thread> readers;
    for (int i = 0; i < 4; ++i) {
      readers.emplace_back([&, port = server->port()] {
        while (!done) {
          if (health_once(port)) ++answered;
        }
      });
    }
    EXPECT_TRUE(eventually([&] { return answered >= 20; })) << "round " << round;
    EXPECT_EQ(server->stop(round % 2 == 0 ? SIGTERM : SIGINT, 10s), 0) << "round " << round;
    done = true;
    for (auto& t : readers) t.join();
  }
}

// ---------------------------------------------------------------- Expect: 100-continue

TEST(Server, ExpectContinueIsHonoured) {
  auto server = TestServer::start();
  const std::string body = R"({"amount": 1500})";
  RawConnection conn(server->port());
  conn.send(
      request_head("POST", kOrders, with(demo_auth(), "Expect", "100-continue"), body.size()));
  const auto interim = conn.read_response(2s);
  ASSERT_EQ(interim.status, 100);
  conn.send(body);
  const auto res = conn.read_response(5s);
  ASSERT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(res.json().at("amount").as_int64(), 1500);

  // And on a request the server refuses outright, no body needs to be sent at all.
  RawConnection big(server->port());
  big.send(request_head("POST", kOrders, with(demo_auth(), "Expect", "100-continue"), 1'000'000));
  expect_json_error(big.read_response(2s), 413, "PAYLOAD_TOO_LARGE");
}

// An operator looking at `top -H` sees what each thread is for. Threads the
// server starts itself are named before it answers; spdlog's log thread names
// itself when it first runs, so the test gives it a moment.
TEST(Server, ThreadsCarryNamesForTheOperator) {
  auto server = TestServer::start(options_with_args({"--threads", "2"}));
  const auto thread_names = [&] {
    std::set<std::string> names;
    for (const auto& task :
         std::filesystem::directory_iterator("/proc/" + std::to_string(server->pid()) + "/task")) {
      std::string name = read_file(task.path().string() + "/comm");
      while (!name.empty() && name.back() == '\n') name.pop_back();
      names.insert(name);
    }
    return names;
  };
  const std::string db = on_postgres() ? "pg" : "sqlite";
  const std::vector<std::string> named_before_serving = {
      "paygate", "http-io-1", db + "-writer", db + "-reader", "jobs", "webhook-post", "signals"};
  const auto names = thread_names();
  for (const std::string& wanted : named_before_serving) {
    EXPECT_TRUE(names.contains(wanted)) << "no thread named " << wanted;
  }
  EXPECT_TRUE(eventually([&] { return thread_names().contains("log-writer"); }, 5s))
      << "no thread named log-writer";
}

}  // namespace
}  // namespace paygate::test
