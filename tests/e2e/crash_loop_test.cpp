// Crash loop: a mixed load (orders, payments, refunds, webhooks, reads) runs
// while the server is SIGKILLed at random moments 20 times and restarted on
// the same database. The client remembers every 2xx it saw; at the end every
// acknowledged order, payment and refund exists and agrees with what was
// acknowledged, no payment is refunded beyond its amount, no order has two
// successful payments, every job is final and SQLite's integrity check is ok.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"
#include "receiver.h"

namespace paygate::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr int kKills = 20;
constexpr int kClients = 4;
constexpr std::int64_t kOrderAmount = 1000;
constexpr std::int64_t kRefundAmount = 400;  // the third of these would over-refund

struct Acknowledged {
  std::mutex mutex;
  std::map<std::string, std::int64_t> orders;   // id -> amount
  std::map<std::string, std::string> payments;  // id -> order id
  std::map<std::string, std::string> refunds;   // id -> payment id
  int requests = 0;
  int unanswered = 0;                      // connection lost: the server was killed
  std::vector<std::string> server_errors;  // any 5xx
};

// One request on a fresh connection; status 0 (not a test failure, unlike
// HttpClient) when the server is down or dies before answering, and never
// sent twice.
HttpResponse quiet_request(std::uint16_t port, std::string_view method, const std::string& target,
                           const std::string& body, const Headers& headers) {
  namespace asio = boost::asio;
  namespace bhttp = boost::beast::http;
  HttpResponse out;
  try {
    asio::io_context context;
    asio::ip::tcp::socket socket(context);
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    const timeval timeout{5, 0};
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    req.set(bhttp::field::content_type, "application/json");
    req.keep_alive(false);
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    bhttp::write(socket, req);
    boost::beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(socket, buffer, res);
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    for (const auto& f : res) out.headers.emplace_back(f.name_string(), f.value());
  } catch (const std::exception&) {
    out.status = 0;
  }
  return out;
}

std::string id_of(const HttpResponse& res) {
  const auto v = res.json();
  if (!v.is_object() || !v.as_object().contains("id")) return {};
  return str(v.as_object().at("id"));
}

// One client's loop until stop: an order, two payment attempts on it, and up
// to three refunds of a successful payment (the third must be refused).
void client_loop(const std::atomic<std::uint16_t>& port, const std::atomic<bool>& stop,
                 Acknowledged& ack, int seed) {
  std::mt19937 rng(static_cast<unsigned>(seed));
  auto call = [&](std::string_view method, const std::string& target, const std::string& body,
                  const Headers& headers) {
    auto res = quiet_request(port.load(), method, target, body, headers);
    std::lock_guard lock(ack.mutex);
    ++ack.requests;
    if (res.status == 0) ++ack.unanswered;
    // A 503 while the database is reopened would be legitimate; anything else is not.
    if (res.status >= 500 && res.status != 503) {
      ack.server_errors.push_back(std::to_string(res.status) + " " + target + " " + res.body);
    }
    return res;
  };
  while (!stop) {
    const auto order = call("POST", "/api/v1/orders",
                            json::serialize(json::object{{"amount", kOrderAmount}}), demo_auth());
    if (order.status != 201) continue;
    const std::string order_id = id_of(order);
    {
      std::lock_guard lock(ack.mutex);
      ack.orders[order_id] = kOrderAmount;
    }
    std::string payment_id;
    for (int attempt = 0; attempt < 2; ++attempt) {
      const json::object body{{"order_id", order_id}, {"method", "upi"}, {"vpa", "crash@okbank"}};
      const auto p = call("POST", "/api/v1/payments/public", json::serialize(body),
                          {{"X-Api-Key", std::string(kDemoKey)}});
      if (p.status / 100 == 2) {
        payment_id = id_of(p);
        std::lock_guard lock(ack.mutex);
        ack.payments[payment_id] = order_id;
      }
    }
    if (payment_id.empty() || rng() % 4 == 0) continue;  // some payments are never refunded
    const bool settled = eventually(
        [&] {
          const auto p = call("GET", "/api/v1/payments/" + payment_id, "", demo_auth());
          return p.status == 200 && p.json().at("status") == "SUCCESS";
        },
        1s);
    if (!settled) continue;
    for (int i = 0; i < 3 && !stop; ++i) {
      const json::object body{{"payment_id", payment_id}, {"amount", kRefundAmount}};
      const auto r = call("POST", "/api/v1/refunds", json::serialize(body), demo_auth());
      if (r.status / 100 == 2) {
        std::lock_guard lock(ack.mutex);
        ack.refunds[id_of(r)] = payment_id;
      }
    }
    (void)call("GET", "/api/v1/orders?count=5", "", demo_auth());
  }
}

// The single integer (or text) a query returns, read straight from the file.
std::string query(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) {
    return std::string("prepare failed: ") + sqlite3_errmsg(db);
  }
  std::string out;
  if (sqlite3_step(stmt) == SQLITE_ROW) {
    const auto* text = sqlite3_column_text(stmt, 0);
    out = text == nullptr ? "" : reinterpret_cast<const char*>(text);
  }
  sqlite3_finalize(stmt);
  return out;
}

TEST(CrashLoop, TwentyKillsLoseNothingAcknowledged) {
  PAYGATE_SQLITE_ONLY(
      "reads the SQLite file (integrity_check); on PostgreSQL PgScaleOut SIGKILLs a worker");
  Receiver receiver;
  ServerOptions options;
  options.env = {{"PAYGATE_PROCESSING_DELAY_MS", "0"},
                 {"PAYGATE_JOB_LEASE_MS", "500"},
                 {"PAYGATE_JOB_POLL_MS", "50"},
                 {"PAYGATE_WEBHOOK_RETRY_SCHEDULE", "0.1,0.1"}};
  auto server = TestServer::start(options);
  const json::object hook{{"url", receiver.url("/hooks")}};
  ASSERT_EQ(server->post("/api/v1/webhooks", json::serialize(hook), demo_auth()).status, 201);

  Acknowledged ack;
  std::atomic<std::uint16_t> port{server->port()};
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] { client_loop(port, stop, ack, i + 1); });
  }
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> pause_ms(100, 1200);
  for (int kill = 0; kill < kKills; ++kill) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
    server->restart();  // SIGKILL, then start again on the same database
    port = server->port();
  }
  std::this_thread::sleep_for(300ms);
  stop = true;
  for (auto& t : clients) t.join();

  std::lock_guard lock(ack.mutex);
  EXPECT_TRUE(ack.server_errors.empty()) << ack.server_errors.front();
  // The load did happen, on both sides of the kills.
  EXPECT_GT(ack.orders.size(), 20u);
  EXPECT_GT(ack.payments.size(), 10u);
  EXPECT_GT(ack.refunds.size(), 5u);
  EXPECT_GT(ack.requests, 200);

  // Every job reaches a final state: work interrupted by a kill is taken up again.
  json::object jobs;
  EXPECT_TRUE(eventually(
      [&] {
        const auto res = server->get("/api/v1/test/jobs/status");
        if (res.status != 200) return false;
        jobs = object_of(res);
        return jobs.at("pending") == 0 && jobs.at("processing") == 0;
      },
      30s))
      << json::serialize(jobs);

  auto client = server->client();
  for (const auto& [id, amount] : ack.orders) {
    const auto res = client.get("/api/v1/orders/" + id, demo_auth());
    ASSERT_EQ(res.status, 200) << "acknowledged order " << id << " is gone: " << res.body;
    EXPECT_EQ(res.json().at("amount"), amount) << id;
  }
  for (const auto& [id, order_id] : ack.payments) {
    const auto res = client.get("/api/v1/payments/" + id, demo_auth());
    ASSERT_EQ(res.status, 200) << "acknowledged payment " << id << " is gone: " << res.body;
    EXPECT_EQ(str(res.json().at("order_id")), order_id) << id;
    const auto status = str(res.json().at("status"));
    EXPECT_TRUE(status == "SUCCESS" || status == "FAILED") << id << ": " << status;
  }
  for (const auto& [id, payment_id] : ack.refunds) {
    const auto res = client.get("/api/v1/refunds/" + id, demo_auth());
    ASSERT_EQ(res.status, 200) << "acknowledged refund " << id << " is gone: " << res.body;
    EXPECT_EQ(str(res.json().at("payment_id")), payment_id) << id;
    EXPECT_EQ(res.json().at("amount"), kRefundAmount) << id;
    const auto status = str(res.json().at("status"));
    EXPECT_TRUE(status == "PROCESSED" || status == "FAILED") << id << ": " << status;
  }

  // The database itself, with the server stopped.
  ASSERT_EQ(server->stop(SIGTERM), 0) << server->log().substr(0, 2000);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(server->db_path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  EXPECT_EQ(query(db, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(query(db,
                  "SELECT count(*) FROM payments p WHERE p.amount < (SELECT coalesce(sum(amount), "
                  "0) FROM refunds r WHERE r.payment_id = p.id AND r.status <> 'FAILED')"),
            "0")
      << "over-refunded payments";
  EXPECT_EQ(query(db,
                  "SELECT count(*) FROM (SELECT order_id FROM payments WHERE status = 'SUCCESS' "
                  "GROUP BY order_id HAVING count(*) > 1)"),
            "0")
      << "orders with two successful payments";
  EXPECT_EQ(query(db, "SELECT count(*) FROM jobs WHERE state NOT IN ('done', 'dead')"), "0");
  EXPECT_EQ(query(db, "SELECT count(*) FROM refunds WHERE status = 'PENDING'"), "0");
  sqlite3_close(db);
  std::printf(
      "crash loop: %d requests, %d unanswered (kills), %zu orders, %zu payments, "
      "%zu refunds acknowledged\n",
      ack.requests, ack.unanswered, ack.orders.size(), ack.payments.size(), ack.refunds.size());
}

}  // namespace
}  // namespace paygate::test
