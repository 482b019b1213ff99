// On PostgreSQL a statement may wait on a lock that someone else holds (an
// operator's open psql transaction, a long migration). Every statement paygate
// sends has a time limit (--db-statement-timeout-ms, 10 s by default), so such
// a request answers 503 instead of hanging, a job waits for a later run
// without spending an attempt, and migrations, which may rightly wait longer,
// have none. Skipped on SQLite.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "flows.h"
#include "harness.h"
#include "store/postgres/pg_database.h"

namespace paygate::test {
namespace {

using namespace std::chrono_literals;

// A short limit, so that the tests do not wait 10 s for the default one.
constexpr std::string_view kShortTimeoutMs = "300";

HttpResponse within(std::future<HttpResponse>& answer, std::chrono::seconds limit) {
  if (answer.wait_for(limit) != std::future_status::ready) {
    ADD_FAILURE() << "no answer within " << limit.count() << " s";
    return {};
  }
  return answer.get();
}

std::size_t count_of(const std::string& text, std::string_view part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

TEST(PgTimeouts, AStatementKeptWaitingByALockAnswers503) {
  if (!on_postgres()) GTEST_SKIP() << "SQLite has no other sessions' locks to wait for";
  ServerOptions options;
  options.args = {"--db-statement-timeout-ms", std::string(kShortTimeoutMs)};
  auto server = TestServer::start(options);
  const auto made = server->post("/api/v1/orders", R"({"amount": 500})", demo_auth());
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string id = boost::json::parse(made.body).at("id").as_string().c_str();

  PgSession holder(server->database_url());
  holder.query("BEGIN");
  holder.query("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE");
  auto write = std::async(std::launch::async, [&] {
    return server->post("/api/v1/orders", R"({"amount": 700})", demo_auth());
  });
  auto read = std::async(std::launch::async,
                         [&] { return server->get("/api/v1/orders/" + id, demo_auth()); });
  const auto written = within(write, 15s);
  const auto was_read = within(read, 15s);
  holder.query("ROLLBACK");

  for (const auto* answer : {&written, &was_read}) {
    EXPECT_EQ(answer->status, 503) << answer->body;
    EXPECT_EQ(answer->error_code(), "SERVICE_UNAVAILABLE") << answer->body;
    EXPECT_EQ(answer->header("Retry-After"), "1") << answer->body;
  }
  EXPECT_NE(server->log().find("statement timeout"), std::string::npos)
      << "the 503s did not come from the statement timeout";
  // The lock gone, the same connections serve again, and the refused order
  // was not made.
  EXPECT_EQ(server->post("/api/v1/orders", R"({"amount": 900})", demo_auth()).status, 201);
  EXPECT_EQ(server->get("/api/v1/orders/" + id, demo_auth()).status, 200);
  const auto amounts =
      pg_query(server->database_url(), "SELECT amount FROM orders ORDER BY amount");
  ASSERT_EQ(amounts.size(), 2u);
  EXPECT_EQ(amounts[0][0], "500");
  EXPECT_EQ(amounts[1][0], "900");
}

// PostgreSQL is there, but the health check's statement waits on a lock past
// the statement timeout: health names that, not a lost database.
TEST(PgTimeouts, HealthNamesAStatementTimeoutNotADisconnectedDatabase) {
  if (!on_postgres()) GTEST_SKIP() << "SQLite has no other sessions' locks to wait for";
  ServerOptions options;
  options.args = {"--db-statement-timeout-ms", std::string(kShortTimeoutMs)};
  auto server = TestServer::start(options);
  PgSession holder(server->database_url());
  holder.query("BEGIN");
  holder.query("LOCK TABLE schema_migrations IN ACCESS EXCLUSIVE MODE");
  const auto res = server->get("/health");
  holder.query("ROLLBACK");

  EXPECT_EQ(res.status, 503) << res.body;
  const auto body = object_of(res);
  EXPECT_EQ(str(body.at("status")), "unhealthy") << res.body;
  EXPECT_EQ(str(body.at("database")), "connected") << res.body;
  const auto& database = body.at("checks").at("database").as_object();
  EXPECT_EQ(str(database.at("status")), "statement_timeout") << res.body;
  EXPECT_GE(database.at("took_ms").as_int64(), 250) << res.body;
  EXPECT_EQ(body.at("problems").as_array(), boost::json::array{"database_statement_timeout"})
      << res.body;
  EXPECT_TRUE(eventually([&] { return server->get("/health").status == 200; }, 5s));
}

// Writes kept waiting by a lock fill the write queue (one writer, room for
// one more): health says the write queue is full while the database answers.
TEST(PgTimeouts, HealthNamesAFullWriteQueue) {
  if (!on_postgres()) GTEST_SKIP() << "SQLite has no other sessions' locks to wait for";
  ServerOptions options;
  options.args = {"--db-statement-timeout-ms", "5000", "--db-pool-size", "1"};
  options.env = {{"PAYGATE_MAX_QUEUED_WRITES", "1"}};
  auto server = TestServer::start(options);
  PgSession holder(server->database_url());
  holder.query("BEGIN");
  holder.query("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE");
  std::vector<std::future<HttpResponse>> writes;
  for (int i = 0; i < 3; ++i) {
    writes.push_back(std::async(std::launch::async, [&] {
      return server->post("/api/v1/orders", R"({"amount": 500})", demo_auth());
    }));
  }
  HttpResponse res;
  const bool full = eventually([&] { return (res = server->get("/health")).status == 503; }, 4s);
  holder.query("ROLLBACK");
  for (auto& w : writes) (void)within(w, 15s);

  ASSERT_TRUE(full) << res.body;
  const auto body = object_of(res);
  EXPECT_EQ(str(body.at("database")), "connected") << res.body;
  EXPECT_EQ(str(body.at("checks").at("database").at("status")), "ok") << res.body;
  const auto& queue = body.at("checks").at("write_queue").as_object();
  EXPECT_EQ(str(queue.at("status")), "full") << res.body;
  EXPECT_EQ(queue.at("queued").as_int64(), 1) << res.body;
  EXPECT_EQ(queue.at("limit").as_int64(), 1) << res.body;
  EXPECT_EQ(body.at("problems").as_array(), boost::json::array{"write_queue_full"}) << res.body;
  EXPECT_TRUE(eventually([&] { return server->get("/health").status == 200; }, 10s));
}

// A server with a short statement timeout, a payment waiting for its job (500
// ms processing delay), and a session that holds the payments table locked:
// every statement of the job times out until holder rolls back.
struct PaymentBehindALock {
  explicit PaymentBehindALock(const std::map<std::string, std::string>& env)
      : server(TestServer::start(options(env))),
        client(server->client()),
        payment(start_payment(client, upi())),
        url(server->database_url()),
        holder(url) {
    holder.query("BEGIN");
    holder.query("LOCK TABLE payments IN ACCESS EXCLUSIVE MODE");
  }
  static ServerOptions options(const std::map<std::string, std::string>& env) {
    ServerOptions o;
    o.args = {"--db-statement-timeout-ms", std::string(kShortTimeoutMs)};
    o.env = env;
    o.env["PAYGATE_PROCESSING_DELAY_MS"] = "500";
    return o;
  }
  std::unique_ptr<TestServer> server;
  HttpClient client;
  std::string payment;
  std::string url;
  PgSession holder;
};

// A job whose statements time out is not the job's fault: it runs again
// later, its attempts untouched, and the payment settles once the lock is gone.
TEST(PgTimeouts, AJobKeptWaitingByALockIsDeferredWithoutSpendingAnAttempt) {
  if (!on_postgres()) GTEST_SKIP() << "SQLite has no other sessions' locks to wait for";
  PaymentBehindALock locked(std::map<std::string, std::string>{});
  auto& server = locked.server;
  auto& c = locked.client;
  const std::string& payment = locked.payment;
  const std::string& url = locked.url;
  PgSession& holder = locked.holder;
  // Deferred twice: more failures than a job's first attempt would allow
  // for before it counted them.
  const bool deferred = eventually([&] { return count_of(server->log(), "deferred") >= 2; }, 15s);
  PgSession observer(url);
  const auto job =
      observer.query("SELECT attempts, state FROM jobs WHERE subject_id = '" + payment + "'");
  holder.query("ROLLBACK");

  EXPECT_TRUE(deferred) << server->log();
  ASSERT_EQ(job.size(), 1u);
  EXPECT_LE(std::stoi(job[0][0]), 1) << "attempts spent while the database could not be used";
  EXPECT_NE(job[0][1], "dead");
  EXPECT_EQ(str(wait_settled(c, payment, demo_auth(), 15s).at("status")), "SUCCESS");
}

// Deferrals spend no attempt, but are bounded: a job the database keeps
// refusing is dead after PAYGATE_JOB_MAX_DEFERRALS of them, with why.
TEST(PgTimeouts, AJobDeferredPastTheLimitIsDeadWithItsReason) {
  if (!on_postgres()) GTEST_SKIP() << "SQLite has no other sessions' locks to wait for";
  PaymentBehindALock locked(std::map<std::string, std::string>{{"PAYGATE_JOB_MAX_DEFERRALS", "1"}});
  auto& server = locked.server;
  const std::string& payment = locked.payment;
  const std::string& url = locked.url;
  PgSession& holder = locked.holder;
  PgSession observer(url);
  const auto state = [&] {
    const auto rows =
        observer.query("SELECT state, last_error FROM jobs WHERE subject_id = '" + payment + "'");
    return rows.empty() ? std::vector<std::string>{} : rows[0];
  };
  const bool dead = eventually([&] { return state().at(0) == "dead"; }, 20s);
  holder.query("ROLLBACK");
  ASSERT_TRUE(dead) << server->log();
  EXPECT_NE(state().at(1).find("deferred 1 times"), std::string::npos) << state().at(1);
  EXPECT_NE(server->log().find("outcome=dead"), std::string::npos) << server->log();
}

// A second process that starts while another migrates waits for it, however
// long that takes: its wait is not cut short by the statement timeout.
TEST(PgTimeouts, MigrateWaitsForAnotherMigrationLongerThanTheStatementTimeout) {
  if (!on_postgres()) GTEST_SKIP() << "SQLite migrations take a file lock, not a statement";
  auto server = TestServer::start();
  const std::string url = server->database_url();
  PgSession holder(url);
  const std::string lock = std::to_string(store::kMigrationLock);
  holder.query("SELECT pg_advisory_lock(" + lock + ")");

  auto migrate = std::async(std::launch::async, [&] {
    return run_paygate({"migrate", "--database", url},
                       {{"PAYGATE_DB_STATEMENT_TIMEOUT_MS", std::string(kShortTimeoutMs)}});
  });
  // Waiting for the lock for more than three times its statement timeout.
  const bool waited = eventually_waits_for_a_lock(url, 1, 1s);
  holder.query("SELECT pg_advisory_unlock(" + lock + ")");
  const auto result = migrate.get();
  EXPECT_TRUE(waited) << "migrate stopped waiting for the lock: " << result.err;
  EXPECT_EQ(result.exit_code, 0) << result.err;
}

}  // namespace
}  // namespace paygate::test
