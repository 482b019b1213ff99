// PostgreSQL goes away under load and comes back: requests get 503 quickly
// (none hangs), health says disconnected, and the same server process works
// again once the database is back, without a restart. It stops the whole test
// cluster, so it is its own test binary, run alone (RUN_SERIAL). Skipped on
// SQLite (health_test.cpp moves the file away instead).
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"

namespace paygate::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

struct Outcome {
  int status = 0;
  std::string code;
  std::chrono::milliseconds took{};
};

TEST(PgOutage, RequestsGet503QuicklyAndTheServerRecoversWithoutRestart) {
  if (!on_postgres()) GTEST_SKIP() << "stops PostgreSQL";
  auto server = TestServer::start();
  const pid_t pid = server->pid();
  ASSERT_EQ(server->post("/api/v1/orders", R"({"amount": 500})", demo_auth()).status, 201);

  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::vector<Outcome> outcomes;
  std::vector<std::thread> load;
  for (int t = 0; t < 4; ++t) {
    load.emplace_back([&, t] {
      HttpClient c(server->port());
      while (!stop) {
        const auto start = std::chrono::steady_clock::now();
        const auto res = t % 2 == 0 ? c.post("/api/v1/orders", R"({"amount": 500})", demo_auth())
                                    : c.get("/api/v1/orders?count=5", demo_auth());
        const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - start);
        std::lock_guard lock(mutex);
        outcomes.push_back({res.status, res.error_code(), took});
      }
    });
  }
  std::this_thread::sleep_for(300ms);  // load before the outage
  ASSERT_EQ(pg_ctl("stop -m fast -w"), 0);

  // While it is down: health says so, and requests are refused with the contract's error.
  HttpResponse health;
  EXPECT_TRUE(eventually([&] { return (health = server->get("/health")).status == 503; }, 10s));
  EXPECT_EQ(str(object_of(health).at("database")), "disconnected") << health.body;
  // Named as the database being out of reach, not a slow statement or a full queue.
  EXPECT_EQ(str(object_of(health).at("checks").at("database").at("status")), "unreachable")
      << health.body;
  EXPECT_EQ(object_of(health).at("problems").as_array(), json::array{"database_unreachable"})
      << health.body;
  const auto refused = server->post("/api/v1/orders", R"({"amount": 500})", demo_auth());
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(refused.error_code(), "SERVICE_UNAVAILABLE");
  // libpq's text (it names the host, port and user) is for the log only.
  EXPECT_NE(refused.body.find("the service is temporarily unavailable"), std::string::npos)
      << refused.body;
  for (const char* driver : {"PostgreSQL", "connect", "127.0.0.1", "port", "user"}) {
    EXPECT_EQ(refused.body.find(driver), std::string::npos) << driver << ": " << refused.body;
  }
  const std::string request_id = str(object_of(refused).at("error").as_object().at("request_id"));
  EXPECT_TRUE(eventually([&] { return server->log().find(request_id) != std::string::npos; }));
  std::this_thread::sleep_for(2s);

  ASSERT_EQ(pg_ctl("start -w -t 60"), 0);
  EXPECT_TRUE(eventually([&] { return (health = server->get("/health")).status == 200; }, 20s))
      << health.body;
  EXPECT_EQ(str(object_of(health).at("database")), "connected") << health.body;
  EXPECT_TRUE(object_of(health).at("problems").as_array().empty()) << health.body;
  EXPECT_TRUE(eventually(
      [&] {
        return server->post("/api/v1/orders", R"({"amount": 500})", demo_auth()).status == 201;
      },
      20s));
  std::this_thread::sleep_for(300ms);  // load after the recovery
  stop = true;
  for (auto& t : load) t.join();

  // Nothing hung, nothing crashed: every answer a success or a quick 503.
  int unavailable = 0, ok_after = 0;
  bool recovered = false;
  std::chrono::milliseconds slowest{};
  for (const auto& o : outcomes) {
    slowest = std::max(slowest, o.took);
    if (o.status == 503) {
      EXPECT_EQ(o.code, "SERVICE_UNAVAILABLE");
      ++unavailable;
      recovered = false;
    } else {
      EXPECT_TRUE(o.status == 200 || o.status == 201) << o.status << " " << o.code;
      if (unavailable > 0) recovered = true;
      if (recovered) ++ok_after;
    }
  }
  EXPECT_GT(unavailable, 0);
  EXPECT_GT(ok_after, 0);
  EXPECT_LT(slowest, 5s) << "a request waited on the database";
  EXPECT_TRUE(server->running());
  EXPECT_EQ(server->pid(), pid);
}

}  // namespace
}  // namespace paygate::test
