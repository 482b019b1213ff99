// Work that reaches the database together is done together: writes are
// committed in one transaction (SQLite's writer and PostgreSQL's pool), and on
// PostgreSQL reads are sent in one pipeline. A write that fails inside its
// transaction must not take the others of its batch down with it, and every
// read must get its own answer.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "flows.h"
#include "harness.h"
#include "prometheus.h"

namespace paygate::test {
namespace {

namespace json = boost::json;

constexpr int kThreads = 48;
constexpr std::int64_t kPaymentAmount = 50000;

// How many writes were committed and in how many commits, from /metrics.
struct Commits {
  double writes = 0;
  double commits = 0;
};

Commits commits(HttpClient& c) {
  const auto res = c.get("/metrics", metrics_auth());
  EXPECT_EQ(res.status, 200);
  const auto e = parse_exposition(res.body);
  return {e.value("paygate_db_commit_batch_size_sum"),
          e.value("paygate_db_commit_batch_size_count")};
}

TEST(GroupCommit, AFailingWriteDoesNotTakeItsBatchDown) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string pay = captured_payment(c);
  ASSERT_FALSE(pay.empty());
  const json::object over_refund{{"payment_id", pay}, {"amount", kPaymentAmount + 1}};

  // Rounds of orders and over-refunds (refused inside their transaction)
  // sent at once, until the server has committed several writes together.
  std::vector<std::string> orders;
  for (int round = 0; round < 5; ++round) {
    std::vector<HttpResponse> responses(kThreads);
    std::latch ready(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        auto client = server->client();
        client.get("/health");  // connected before the start
        ready.arrive_and_wait();
        auto& res = responses[static_cast<std::size_t>(t)];
        if (t % 2 == 0) {
          res = client.post("/api/v1/orders", R"({"amount":1000})", demo_auth());
        } else {
          res = client.post("/api/v1/refunds", json::serialize(over_refund), demo_auth());
        }
      });
    }
    for (auto& t : threads) t.join();
    for (int t = 0; t < kThreads; ++t) {
      const auto& res = responses[static_cast<std::size_t>(t)];
      if (t % 2 == 0) {
        ASSERT_EQ(res.status, 201) << res.body;
        orders.push_back(str(object_of(res).at("id")));
      } else {
        EXPECT_EQ(res.status, 400) << res.body;
        EXPECT_NE(res.body.find("amount"), std::string::npos) << res.body;
      }
    }
    const auto done = commits(c);
    if (done.writes > done.commits) break;
  }
  const auto done = commits(c);
  EXPECT_GT(done.writes, done.commits) << "no two writes were ever committed together";

  for (const auto& id : orders) {
    const auto res = c.get("/api/v1/orders/" + id, demo_auth());
    EXPECT_EQ(res.status, 200) << id;
  }
  const auto p = get_payment(c, pay);
  EXPECT_EQ(p.at("amount_refunded"), 0) << json::serialize(p);
}

TEST(PipelinedReads, EachConcurrentReadGetsItsOwnAnswer) {
  auto server = TestServer::start();
  auto c = server->client();
  // Orders of different amounts, and an id that does not exist (a 404 among
  // the answers of the same pipeline).
  std::vector<std::string> ids;
  for (int i = 0; i < kThreads; ++i) {
    const auto res =
        c.post("/api/v1/orders", R"({"amount":)" + std::to_string(1000 + i) + "}", demo_auth());
    ASSERT_EQ(res.status, 201) << res.body;
    ids.push_back(str(object_of(res).at("id")));
  }
  const auto batches = [&] {
    const auto e = parse_exposition(c.get("/metrics", metrics_auth()).body);
    return std::pair{e.value("paygate_db_read_batch_size_sum"),
                     e.value("paygate_db_read_batch_size_count")};
  };
  for (int round = 0; round < 5; ++round) {
    std::vector<std::thread> threads;
    std::latch ready(kThreads);
    std::atomic<int> wrong{0};
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        auto client = server->client();
        client.get("/health");
        ready.arrive_and_wait();
        for (int n = 0; n < 10; ++n) {
          if (t % 8 == 7) {
            if (client.get("/api/v1/orders/order_nosuchorder", demo_auth()).status != 404) ++wrong;
            continue;
          }
          const auto res =
              client.get("/api/v1/orders/" + ids[static_cast<std::size_t>(t)], demo_auth());
          const auto o = res.status == 200 ? object_of(res) : json::object{};
          if (res.status != 200 || str(o.at("id")) != ids[static_cast<std::size_t>(t)] ||
              o.at("amount") != 1000 + t) {
            ++wrong;
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(wrong.load(), 0) << "answers that were not the asker's";
    if (!on_postgres()) return;  // SQLite reads one by one
    const auto [reads, pipelines] = batches();
    if (reads > pipelines) return;
  }
  const auto [reads, pipelines] = batches();
  EXPECT_GT(reads, pipelines) << "no two reads were ever sent together";
}

}  // namespace
}  // namespace paygate::test
