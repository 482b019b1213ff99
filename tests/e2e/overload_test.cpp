// Overload: a full writer queue or a full connection table is answered at
// once with 503 SERVICE_UNAVAILABLE and Retry-After, never queued without
// bound, and whatever was acknowledged is really there.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"

namespace paygate::test {
namespace {

using namespace std::chrono_literals;

TEST(Overload, FullWriterQueueAnswers503AtOnce) {
  ServerOptions options;
  options.env = {{"PAYGATE_MAX_QUEUED_WRITES", "2"}};
  options.args = {"--threads", "4"};
  auto server = TestServer::start(options);

  std::mutex mutex;
  std::set<std::string> created;
  std::atomic<int> refused{0};
  std::atomic<int> unexpected{0};
  std::atomic<int> slowest_refusal_ms{0};
  std::string sample_refusal;
  // Bursts of concurrent creates until the queue overflowed at least once.
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (refused == 0 && std::chrono::steady_clock::now() < deadline) {
    std::vector<std::thread> threads;
    for (int t = 0; t < 32; ++t) {
      threads.emplace_back([&] {
        auto client = server->client();
        for (int i = 0; i < 10; ++i) {
          const auto start = std::chrono::steady_clock::now();
          const auto res = client.post("/api/v1/orders", R"({"amount": 500})", demo_auth());
          const int ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              std::chrono::steady_clock::now() - start)
                                              .count());
          if (res.status == 201) {
            std::lock_guard lock(mutex);
            created.insert(str(res.json().at("id")));
          } else if (res.status == 503 && res.error_code() == "SERVICE_UNAVAILABLE" &&
                     res.header("Retry-After") == "1") {
            ++refused;
            int seen = slowest_refusal_ms.load();
            while (ms > seen && !slowest_refusal_ms.compare_exchange_weak(seen, ms)) {
            }
            std::lock_guard lock(mutex);
            sample_refusal = res.body;
          } else {
            ++unexpected;
            std::lock_guard lock(mutex);
            sample_refusal = std::to_string(res.status) + " " + res.body;
          }
        }
      });
    }
    for (auto& t : threads) t.join();
  }
  EXPECT_GT(refused.load(), 0) << "the writer queue never overflowed";
  EXPECT_EQ(unexpected.load(), 0) << sample_refusal;
  // The answer's description is the fixed one of every 503; the log says why.
  EXPECT_NE(sample_refusal.find("temporarily unavailable"), std::string::npos) << sample_refusal;
  EXPECT_TRUE(eventually([&] { return server->log().find("overloaded") != std::string::npos; }));
  // "At once": a refusal does not wait for the writer (generous for CI).
  EXPECT_LT(slowest_refusal_ms.load(), 2000);

  // Every acknowledged order exists; the server is healthy again.
  EXPECT_EQ(server->get("/api/v1/health").status, 200);
  for (const auto& id : created) {
    ASSERT_EQ(server->get("/api/v1/orders/" + id, demo_auth()).status, 200) << id;
  }
}

TEST(Overload, ConnectionLimit503HasRetryAfter) {
  ServerOptions options;
  options.args = {"--max-connections", "1"};
  auto server = TestServer::start(options);
  std::unique_ptr<RawConnection> held;
  // The harness's own health-check connection may take a moment to be released.
  ASSERT_TRUE(eventually(
      [&] {
        held = std::make_unique<RawConnection>(server->port());
        held->send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        return held->read_response(2s).status == 200;
      },
      5s));
  RawConnection second(server->port());
  const auto res = second.read_response(2s);
  EXPECT_EQ(res.status, 503) << res.body;
  EXPECT_EQ(res.error_code(), "SERVICE_UNAVAILABLE") << res.body;
  EXPECT_EQ(res.header("Retry-After"), "1");
}

}  // namespace
}  // namespace paygate::test
