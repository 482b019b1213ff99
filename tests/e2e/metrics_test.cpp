// GET /metrics end to end: valid Prometheus text (checked by a strict
// parser), labelled by route pattern and never by a raw id, and its counters
// move by exactly what the test did.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <boost/json.hpp>
#include <csignal>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "flows.h"
#include "harness.h"
#include "prometheus.h"
#include "receiver.h"

namespace paygate::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

Exposition scrape(HttpClient& c) {
  const auto res = c.get("/metrics", metrics_auth());
  EXPECT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  Exposition e = parse_exposition(res.body);
  for (const auto& error : e.errors) ADD_FAILURE() << error;
  return e;
}

double requests(const Exposition& e, const std::string& route, const std::string& method,
                const std::string& status) {
  return e.value("paygate_http_requests_total",
                 {{"route", route}, {"method", method}, {"status", status}});
}

TEST(Metrics, ValidTextWithEveryFamilyTheIssueNames) {
  auto server = TestServer::start();
  auto c = server->client();
  ASSERT_EQ(c.get("/api/v1/health").status, 200);
  const Exposition e = scrape(c);
  for (const char* family :
       {"paygate_http_requests_total", "paygate_http_request_duration_seconds",
        "paygate_payments_total", "paygate_refunds_total", "paygate_jobs",
        "paygate_webhook_attempts_total", "paygate_webhook_attempt_duration_seconds",
        "paygate_db_commit_duration_seconds", "paygate_db_commit_batch_size",
        "paygate_process_uptime_seconds"}) {
    EXPECT_TRUE(e.types.contains(family)) << family;
  }
  EXPECT_EQ(e.types.at("paygate_http_request_duration_seconds"), "histogram");
  EXPECT_EQ(e.types.at("paygate_jobs"), "gauge");
  EXPECT_GT(e.value("paygate_process_uptime_seconds"), 0);
  EXPECT_GT(e.value("paygate_db_commit_batch_size_count"), 0);  // the demo merchant, at least
  for (const char* queue : {"gateway_jobs", "gateway_refunds", "gateway_webhooks"}) {
    for (const char* state : {"pending", "running", "dead"}) {
      EXPECT_TRUE(e.has("paygate_jobs", {{"queue", queue}, {"state", state}})) << queue << state;
    }
  }
  EXPECT_EQ(requests(e, "/api/v1/health", "GET", "200"), 1);
}

TEST(Metrics, CountersMoveByExactlyWhatTheTestDid) {
  Receiver receiver;
  receiver.respond_statuses("/hook", {200});
  auto server = TestServer::start();
  auto c = server->client();
  ASSERT_EQ(c.post("/api/v1/webhooks",
                   json::serialize(json::object{{"url", receiver.url("/hook")},
                                                {"events", json::array{"refund.processed"}}}),
                   demo_auth())
                .status,
            201);
  const Exposition before = scrape(c);

  std::string order;
  for (int i = 0; i < 3; ++i) order = create_order(c);
  ASSERT_EQ(c.get("/api/v1/orders/" + order, demo_auth()).status, 200);
  ASSERT_EQ(c.get("/api/v1/orders/order_doesnotexist00", demo_auth()).status, 404);
  ASSERT_EQ(c.post("/api/v1/orders", "{", demo_auth()).status, 400);
  ASSERT_EQ(c.get("/no/such/route").status, 404);
  const std::string paid = captured_payment(c, demo_auth(), upi("dave@upi"));
  const std::string failed = start_payment(c, card("4000000000000002"));
  wait_settled(c, failed);
  ASSERT_EQ(
      c.post("/api/v1/refunds",
             json::serialize(json::object{{"payment_id", paid}, {"amount", 500}}), demo_auth())
          .status,
      201);
  ASSERT_TRUE(receiver.wait_for("/hook", 1, 10s));

  Exposition after;
  const bool delivered = eventually([&] {
    after = scrape(c);
    return after.value("paygate_webhook_attempts_total", {{"outcome", "success"}}) >= 1 &&
           after.value("paygate_refunds_total", {{"status", "PROCESSED"}}) >= 1;
  });
  ASSERT_TRUE(delivered);

  const auto delta = [&](const std::string& route, const std::string& method,
                         const std::string& status) {
    return requests(after, route, method, status) - requests(before, route, method, status);
  };
  EXPECT_EQ(delta("/api/v1/orders", "POST", "201"), 3 + 2);  // and two for the payments
  EXPECT_EQ(delta("/api/v1/orders", "POST", "400"), 1);
  EXPECT_EQ(delta("/api/v1/orders/{id}", "GET", "200"), 1);
  EXPECT_EQ(delta("/api/v1/orders/{id}", "GET", "404"), 1);
  EXPECT_EQ(delta("unmatched", "GET", "404"), 1);
  EXPECT_EQ(delta("/api/v1/payments/public", "POST", "201"), 2);
  EXPECT_EQ(delta("/api/v1/refunds", "POST", "201"), 1);
  EXPECT_GE(delta("/metrics", "GET", "200"), 1);  // `before` and the polling, once answered

  const auto count = [](const Exposition& e, const std::string& name,
                        std::vector<std::pair<std::string, std::string>> labels) {
    return e.value(name, labels);
  };
  EXPECT_EQ(count(after, "paygate_payments_total", {{"status", "SUCCESS"}, {"method", "upi"}}) -
                count(before, "paygate_payments_total", {{"status", "SUCCESS"}, {"method", "upi"}}),
            1);
  EXPECT_EQ(count(after, "paygate_payments_total", {{"status", "FAILED"}, {"method", "card"}}) -
                count(before, "paygate_payments_total", {{"status", "FAILED"}, {"method", "card"}}),
            1);
  EXPECT_EQ(count(after, "paygate_refunds_total", {{"status", "PROCESSED"}}), 1);
  EXPECT_EQ(count(after, "paygate_webhook_attempts_total", {{"outcome", "success"}}), 1);
  EXPECT_EQ(count(after, "paygate_webhook_attempt_duration_seconds_count", {}), 1);
  EXPECT_EQ(count(after, "paygate_job_runs_total", {{"queue", "gateway_jobs"}, {"outcome", "ok"}}),
            2);

  // Route patterns, never raw ids, as label values.
  const auto text = c.get("/metrics", metrics_auth()).body;
  EXPECT_EQ(text.find(order), std::string::npos);
  EXPECT_EQ(text.find(paid), std::string::npos);
  EXPECT_EQ(text.find("order_doesnotexist00"), std::string::npos);
  EXPECT_EQ(text.find("/no/such/route"), std::string::npos);

  // The latency histogram of a route counts its requests.
  EXPECT_EQ(after.value("paygate_http_request_duration_seconds_count",
                        {{"route", "/api/v1/orders/{id}"}, {"method", "GET"}}) -
                before.value("paygate_http_request_duration_seconds_count",
                             {{"route", "/api/v1/orders/{id}"}, {"method", "GET"}}),
            2);
}

// ---- who may scrape ----

std::unique_ptr<TestServer> start_with(std::map<std::string, std::string> env) {
  ServerOptions options;
  options.env = std::move(env);
  return TestServer::start(std::move(options));
}

// /metrics shows every merchant's totals: through the API listener it answers
// only the bearer of the configured token, in test mode too.
TEST(Metrics, NotReadableWithoutTheConfiguredToken) {
  auto closed = start_with({{"PAYGATE_METRICS_TOKEN", ""}});
  for (const Headers& headers : {Headers{}, metrics_auth()}) {
    const auto res = closed->get("/metrics", headers);
    EXPECT_EQ(res.status, 401) << res.body;
    EXPECT_EQ(res.error_code(), "AUTHENTICATION_ERROR") << res.body;
    EXPECT_EQ(res.body.find("paygate_"), std::string::npos) << res.body;
  }

  auto server = TestServer::start();  // the harness's token
  const std::string token(kMetricsToken);
  const Headers refused[] = {
      {},
      {{"Authorization", "Bearer wrong-token-wrong-token-wrong-token"}},
      {{"Authorization", "Bearer " + token + "x"}},
      {{"Authorization", "Bearer " + token.substr(1)}},
      {{"Authorization", "Basic " + token}},
      {{"Authorization", token}},
      {{"Authorization", "Bearer"}},
      {{"X-Api-Key", std::string(kDemoKey)}, {"X-Api-Secret", std::string(kDemoSecret)}},
  };
  for (const Headers& headers : refused) {
    const auto res = server->get("/metrics", headers);
    EXPECT_EQ(res.status, 401) << (headers.empty() ? "" : headers[0].second) << ": " << res.body;
    EXPECT_EQ(res.error_code(), "AUTHENTICATION_ERROR") << res.body;
  }
  auto c = server->client();
  const Exposition e = scrape(c);
  EXPECT_TRUE(e.types.contains("paygate_payments_total"));
  EXPECT_TRUE(e.has("paygate_process_uptime_seconds"));
  // The scheme's name is case-insensitive (RFC 9110).
  EXPECT_EQ(server->get("/metrics", {{"Authorization", "bearer " + token}}).status, 200);
}

TEST(Metrics, WrongTokensCountAgainstTheAddressAuthFailureLimit) {
  auto server = start_with({{"PAYGATE_AUTH_FAILURE_LIMIT", "1/min,burst=3"}});
  // Right tokens are not limited: Prometheus scrapes as often as it likes.
  for (int i = 0; i < 5; ++i) ASSERT_EQ(server->get("/metrics", metrics_auth()).status, 200);
  const Headers wrong{{"Authorization", "Bearer wrong-token-wrong-token-wrong-token"}};
  for (int i = 0; i < 3; ++i) EXPECT_EQ(server->get("/metrics", wrong).status, 401) << i;
  // Now the address is refused whatever it sends, so a guess cannot be told right.
  const auto blocked = server->get("/metrics", metrics_auth());
  EXPECT_EQ(blocked.status, 429) << blocked.body;
  EXPECT_EQ(blocked.error_code(), "RATE_LIMITED") << blocked.body;
}

// ---- all-time totals ----

// Runs a script on the server's database beside the server.
void execute(const TestServer& server, const std::string& sql) {
  if (on_postgres()) {
    pg_query(server.database_url(), sql);
    return;
  }
  sqlite3* db = nullptr;
  char* error = nullptr;
  bool done = false;
  if (sqlite3_open_v2(server.db_path().c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    done = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) == SQLITE_OK;
  }
  if (!done) ADD_FAILURE() << sql << ": " << (error != nullptr ? error : sqlite3_errmsg(db));
  sqlite3_free(error);
  sqlite3_close(db);
}

// The rows of one query on the server's database, each row's columns joined by '|'.
std::vector<std::string> rows(const TestServer& server, const std::string& sql) {
  std::vector<std::string> out;
  const auto join = [&](const std::vector<std::string>& columns) {
    std::string row;
    for (std::size_t i = 0; i < columns.size(); ++i) row += (i > 0 ? "|" : "") + columns[i];
    out.push_back(std::move(row));
  };
  if (on_postgres()) {
    for (const auto& r : pg_query(server.database_url(), sql)) join(r);
    return out;
  }
  sqlite3* db = nullptr;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_open_v2(server.db_path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
  }
  while (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) {
    std::vector<std::string> columns;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      const unsigned char* text = sqlite3_column_text(stmt, i);
      columns.emplace_back(text == nullptr ? "" : reinterpret_cast<const char*>(text));
    }
    join(columns);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

// Each merchant's totals over the rows of one span (1: hours, 24: days).
std::vector<std::string> totals(const TestServer& server, int span_hours) {
  return rows(server,
              "SELECT merchant_id, metric, sum(count), sum(amount) FROM stats_counters"
              " WHERE span_hours = " +
                  std::to_string(span_hours) + " GROUP BY merchant_id, metric ORDER BY 1, 2");
}

// All merchants' totals over the rows of one span (0: all time, 1: hours, 24: days).
std::vector<std::string> all_merchants(const TestServer& server, int span_hours) {
  return rows(server,
              "SELECT metric, sum(count), sum(amount) FROM stats_counters"
              " WHERE span_hours = " +
                  std::to_string(span_hours) + " GROUP BY metric ORDER BY 1");
}

// The day rows' sums by metric: what /metrics showed before the all-time rows.
double day_rows(const TestServer& server, const std::string& metric) {
  const auto r =
      rows(server, "SELECT sum(count) FROM stats_counters WHERE span_hours = 24 AND metric = '" +
                       metric + "'");
  return r.empty() || r[0].empty() ? 0 : std::stod(r[0]);
}

TEST(Metrics, AllTimeTotalsAgreeWithTheDayAndHourRows) {
  Receiver receiver;
  receiver.respond_statuses("/hook", {500, 200});  // one retry, for delivery_retries
  auto server = start_with({{"PAYGATE_WEBHOOK_RETRY_SCHEDULE", "0.05"}});
  const auto other = create_merchant(*server, "Other");
  auto c = server->client();
  ASSERT_EQ(c.post("/api/v1/webhooks",
                   json::serialize(json::object{{"url", receiver.url("/hook")},
                                                {"events", json::array{"refund.processed"}}}),
                   demo_auth())
                .status,
            201);
  const std::string paid = captured_payment(c, demo_auth(), upi("dave@upi"));
  captured_payment(c, other.headers(), card("4111111111111111"));
  wait_settled(c, start_payment(c, card("4000000000000002")));
  ASSERT_EQ(
      c.post("/api/v1/refunds",
             json::serialize(json::object{{"payment_id", paid}, {"amount", 500}}), demo_auth())
          .status,
      201);
  ASSERT_TRUE(receiver.wait_for("/hook", 2, 10s));
  // The refund is processed and its event delivered on the second attempt.
  ASSERT_TRUE(eventually([&] {
    return rows(*server, "SELECT count(*) FROM webhook_deliveries WHERE status = 'success'") ==
           std::vector<std::string>{"1"};
  }));

  EXPECT_EQ(totals(*server, 1), totals(*server, 24));
  const auto days = all_merchants(*server, 24);
  EXPECT_EQ(all_merchants(*server, 0), days);
  EXPECT_EQ(all_merchants(*server, 1), days);
  for (const char* metric : {"payment:upi:SUCCESS", "payment:card:SUCCESS", "payment:card:FAILED",
                             "refund:PROCESSED", "delivery:success", "delivery_retries"}) {
    EXPECT_GT(day_rows(*server, metric), 0) << metric;
  }
  // One row per metric and writer shard, for all merchants (two here): a
  // scrape reads these only.
  EXPECT_EQ(rows(*server, "SELECT count(*) FROM stats_counters WHERE span_hours = 0"),
            rows(*server,
                 "SELECT count(*) FROM (SELECT DISTINCT metric, shard"
                 " FROM stats_counters WHERE span_hours = 24) AS d"));
  EXPECT_EQ(rows(*server,
                 "SELECT DISTINCT merchant_id, hour FROM stats_counters"
                 " WHERE span_hours = 0"),
            std::vector<std::string>{"*|0"});
  const Exposition e = scrape(c);
  EXPECT_EQ(e.value("paygate_payments_total", {{"status", "SUCCESS"}, {"method", "upi"}}),
            day_rows(*server, "payment:upi:SUCCESS"));
  EXPECT_EQ(e.value("paygate_payments_total", {{"status", "SUCCESS"}, {"method", "card"}}), 1);
  EXPECT_EQ(e.value("paygate_payments_total", {{"status", "FAILED"}, {"method", "card"}}), 1);
  EXPECT_EQ(e.value("paygate_refunds_total", {{"status", "PROCESSED"}}), 1);
}

// An upgraded database: day and hour rows written before migration 10, which
// must give every merchant the all-time totals the old scrape summed.
TEST(Metrics, MigrationTenBuildsTheAllTimeTotalsFromTheDayRows) {
  auto server = TestServer::start();
  auto c = server->client();
  ASSERT_FALSE(captured_payment(c).empty());
  ASSERT_EQ(server->stop(SIGTERM), 0);
  // Back to the schema before 10, with 400 days of two merchants over three
  // shards (hour rows beside them), then the counters of a real payment.
  execute(
      *server,
      "DELETE FROM stats_counters WHERE span_hours = 0;"
      "DELETE FROM schema_migrations WHERE version = 10;"
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2400)"
      " INSERT INTO stats_counters (merchant_id, span_hours, hour, metric, shard, count, amount)"
      " SELECT CASE WHEN i % 2 = 0 THEN 'mrc_backfill_a' ELSE 'mrc_backfill_b' END, span,"
      " (i / 6) * span, CASE WHEN i % 4 < 2 THEN 'payment:card:SUCCESS'"
      " ELSE 'refund:PROCESSED' END, i % 3, i % 7 + 1, (i % 7 + 1) * 1000"
      " FROM n, (SELECT 24 AS span UNION ALL SELECT 1) AS spans;");
  const auto days = all_merchants(*server, 24);
  ASSERT_GE(days.size(), 3U);
  const double card_success = day_rows(*server, "payment:card:SUCCESS");
  ASSERT_EQ(all_merchants(*server, 0), std::vector<std::string>{});

  server->restart();  // applies 10 again
  EXPECT_EQ(all_merchants(*server, 0), days);
  auto again = server->client();
  const Exposition e = scrape(again);
  EXPECT_EQ(e.value("paygate_payments_total", {{"status", "SUCCESS"}, {"method", "card"}}),
            card_success);
  EXPECT_EQ(e.value("paygate_payments_total", {{"status", "SUCCESS"}, {"method", "upi"}}), 1);
}

}  // namespace
}  // namespace paygate::test
