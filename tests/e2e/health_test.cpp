#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "harness.h"

namespace paygate::test {
namespace {

TEST(Health, AnswersHealthyOnBothPaths) {
  auto server = TestServer::start();
  for (const char* path : {"/health", "/api/v1/health"}) {
    const auto res = server->get(path);
    EXPECT_EQ(res.status, 200) << path;
    EXPECT_EQ(res.header("Content-Type"), "application/json");
    const auto body = res.json().as_object();
    EXPECT_EQ(body.at("status"), "healthy");
    EXPECT_EQ(body.at("database"), "connected");
    const std::string ts(body.at("timestamp").as_string());
    EXPECT_EQ(ts.size(), 27u) << ts;
    EXPECT_EQ(ts.back(), 'Z');
    // The detail beside the contract's fields: nothing wrong, each check named.
    EXPECT_TRUE(body.at("problems").as_array().empty()) << res.body;
    const auto& checks = body.at("checks").as_object();
    EXPECT_EQ(checks.at("database").at("status"), "ok") << res.body;
    EXPECT_GE(checks.at("database").at("took_ms").as_int64(), 0);
    for (const char* queue : {"write_queue", "read_queue"}) {
      const auto& q = checks.at(queue).as_object();
      EXPECT_EQ(q.at("status"), "ok") << res.body;
      EXPECT_LT(q.at("queued").as_int64(), q.at("limit").as_int64()) << res.body;
    }
  }
}

// Each queue is reported against its configured limit (PgTimeouts fills one).
TEST(Health, ReportsEachQueueAgainstItsLimit) {
  ServerOptions options;
  options.env = {{"PAYGATE_MAX_QUEUED_WRITES", "7"}, {"PAYGATE_MAX_QUEUED_READS", "9"}};
  auto server = TestServer::start(options);
  const auto res = server->get("/health");
  EXPECT_EQ(res.status, 200) << res.body;
  const auto body = res.json().as_object();
  EXPECT_EQ(body.at("checks").at("write_queue").at("limit").as_int64(), 7) << res.body;
  EXPECT_EQ(body.at("checks").at("read_queue").at("limit").as_int64(), 9) << res.body;
}

TEST(Health, Answers503WhenTheDatabaseFileIsGoneAndRecovers) {
  PAYGATE_SQLITE_ONLY("moves the SQLite file away (tests/e2e/pg_outage_test.cpp stops PostgreSQL)");
  auto server = TestServer::start();
  const std::string moved = server->db_path() + ".moved";
  std::filesystem::rename(server->db_path(), moved);

  const auto res = server->get("/api/v1/health");
  EXPECT_EQ(res.status, 503);
  const auto body = res.json().as_object();
  EXPECT_EQ(body.at("status"), "unhealthy");
  EXPECT_EQ(body.at("database"), "disconnected");
  EXPECT_EQ(body.at("checks").at("database").at("status"), "unreachable") << res.body;
  EXPECT_EQ(body.at("problems").as_array(), boost::json::array{"database_unreachable"}) << res.body;
  EXPECT_EQ(res.body.find(server->dir()), std::string::npos) << res.body;

  // Writes are refused too, with the contract's error, and the server keeps running.
  const auto order = server->post("/api/v1/orders", R"({"amount": 500})", demo_auth());
  EXPECT_EQ(order.status, 503);
  EXPECT_EQ(order.error_code(), "SERVICE_UNAVAILABLE");
  EXPECT_TRUE(server->running());

  std::filesystem::rename(moved, server->db_path());
  EXPECT_EQ(server->get("/health").status, 200);
  EXPECT_EQ(server->post("/api/v1/orders", R"({"amount": 500})", demo_auth()).status, 201);
}

// What made the database unusable (here the file's path; on PostgreSQL
// libpq's text, with host and user) is for the log, under the request id.
TEST(Health, UnavailableAnswerNamesNoPathOrDriverText) {
  PAYGATE_SQLITE_ONLY("moves the SQLite file away (PgOutage checks the PostgreSQL answer)");
  auto server = TestServer::start();
  const std::string moved = server->db_path() + ".moved";
  std::filesystem::rename(server->db_path(), moved);

  const auto order = server->post("/api/v1/orders", R"({"amount": 500})", demo_auth());
  EXPECT_EQ(order.status, 503) << order.body;
  EXPECT_EQ(order.error_code(), "SERVICE_UNAVAILABLE");
  const auto answer = order.json();
  const auto& error = answer.at("error").as_object();
  EXPECT_EQ(std::string(error.at("description").as_string()),
            "the service is temporarily unavailable; retry after Retry-After seconds, and quote "
            "the request_id if it lasts");
  EXPECT_EQ(order.body.find(server->dir()), std::string::npos) << order.body;
  const std::string request_id(error.at("request_id").as_string());
  std::string line;
  EXPECT_TRUE(eventually([&] {
    const std::string log = server->log();
    const auto at = log.find(request_id);
    if (at == std::string::npos) return false;
    line = log.substr(at, log.find('\n', at) - at);
    return line.find(server->db_path()) != std::string::npos;
  })) << line;

  std::filesystem::rename(moved, server->db_path());
}

}  // namespace
}  // namespace paygate::test
