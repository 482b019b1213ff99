// Scale-out on PostgreSQL: two API processes (`serve --no-workers`) and two
// `worker` processes on one database, under concurrent payments, refunds and
// idempotent retries sent to both APIs, with one worker SIGKILLed midway.
// At the end every cross-process invariant is checked from the database
// itself and from the webhook receiver's record. Skipped on SQLite (one
// process owns the file there).
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"
#include "receiver.h"

namespace paygate::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::int64_t kAmount = 50000;

std::string create_order(HttpClient& c) {
  const auto res =
      c.post("/api/v1/orders", json::serialize(json::object{{"amount", kAmount}}), demo_auth());
  EXPECT_EQ(res.status, 201) << res.body;
  return res.status == 201 ? str(object_of(res).at("id")) : "";
}

Headers with_key(std::string key) {
  auto h = demo_auth();
  h.emplace_back("Idempotency-Key", std::move(key));
  return h;
}

std::int64_t scalar(const std::string& url, const std::string& sql) {
  const auto rows = pg_query(url, sql);
  if (rows.empty() || rows[0].empty()) return -1;
  return std::stoll(rows[0][0]);
}

TEST(PgScaleOut, TwoApisTwoWorkersOneDatabaseKeepEveryInvariant) {
  if (!on_postgres()) GTEST_SKIP() << "several processes on one database need PostgreSQL";
  Receiver receiver;
  const std::map<std::string, std::string> env{{"PAYGATE_PROCESSING_DELAY_MS", "20"},
                                               {"PAYGATE_JOB_LEASE_MS", "1500"},
                                               {"PAYGATE_JOB_POLL_MS", "1000"},
                                               {"PAYGATE_WEBHOOK_ALLOW_PRIVATE", "1"}};
  ServerOptions options;
  options.args = {"--no-workers"};
  options.env = env;
  auto api1 = TestServer::start(options);
  ApiProcess api2 = start_api(*api1, env, "api2");
  ASSERT_NE(api2.port, 0);
  const std::string db = api1->database_url();
  auto worker1 = api1->start_worker(env);
  auto worker2 = api1->start_worker(env);
  const std::uint16_t ports[2] = {api1->port(), api2.port};

  {
    HttpClient c(ports[1]);
    const auto hook =
        c.post("/api/v1/webhooks", json::serialize(json::object{{"url", receiver.url("/hook")}}),
               demo_auth());
    ASSERT_EQ(hook.status, 201) << hook.body;
  }

  // Payments: each from a new order, with an idempotency key sent to both
  // APIs at once; both must answer with the same payment.
  constexpr int kThreads = 4, kPerThread = 12;
  std::mutex mutex;
  std::vector<std::string> payment_ids;
  std::atomic<int> created{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpClient a(ports[0]), b(ports[1]);
      for (int i = 0; i < kPerThread; ++i) {
        HttpClient& first = (i % 2 == 0) ? a : b;
        const std::string order = create_order(first);
        const std::string body = json::serialize(
            json::object{{"order_id", order}, {"method", "upi"}, {"vpa", "success@upi"}});
        const std::string key = "scale-" + std::to_string(t) + "-" + std::to_string(i);
        HttpResponse other;
        std::thread retry([&] {
          HttpClient c(ports[(i + 1) % 2]);
          other = c.post("/api/v1/payments/public", body, with_key(key));
        });
        const auto res = first.post("/api/v1/payments/public", body, with_key(key));
        retry.join();
        // One of them may find the other still running (409) and retry.
        HttpResponse settled = res;
        for (int k = 0; k < 50 && settled.status == 409; ++k) {
          std::this_thread::sleep_for(20ms);
          settled = first.post("/api/v1/payments/public", body, with_key(key));
        }
        HttpResponse settled_other = other;
        for (int k = 0; k < 50 && settled_other.status == 409; ++k) {
          std::this_thread::sleep_for(20ms);
          settled_other = b.post("/api/v1/payments/public", body, with_key(key));
        }
        EXPECT_EQ(settled.status, 201) << settled.body;
        EXPECT_EQ(settled_other.status, 201) << settled_other.body;
        if (settled.status != 201 || settled_other.status != 201) continue;
        const std::string id = str(object_of(settled).at("id"));
        EXPECT_EQ(str(object_of(settled_other).at("id")), id) << "one key, two payments";
        std::lock_guard lock(mutex);
        payment_ids.push_back(id);
        ++created;
      }
    });
  }
  // Midway, one worker dies without a chance to clean up.
  ASSERT_TRUE(eventually([&] { return created.load() >= kThreads * kPerThread / 3; }, 60s));
  EXPECT_EQ(worker1->stop(SIGKILL), 128 + SIGKILL);
  for (auto& t : threads) t.join();
  ASSERT_EQ(payment_ids.size(), static_cast<std::size_t>(kThreads * kPerThread));

  // Every payment succeeds (the dead worker's leased jobs are taken over).
  HttpClient a(ports[0]), b(ports[1]);
  for (const auto& id : payment_ids) {
    std::string status;
    EXPECT_TRUE(eventually(
        [&] {
          const auto res = b.get("/api/v1/payments/" + id, demo_auth());
          status = res.status == 200 ? str(object_of(res).at("status")) : "";
          return status == "SUCCESS";
        },
        30s))
        << id << " is " << status;
  }

  // One refund on most payments, alternating APIs.
  for (std::size_t i = 1; i < payment_ids.size(); ++i) {
    HttpClient& c = i % 2 == 0 ? a : b;
    const auto res =
        c.post("/api/v1/refunds",
               json::serialize(json::object{{"payment_id", payment_ids[i]}, {"amount", 10000}}),
               demo_auth());
    EXPECT_EQ(res.status, 201) << res.body;
  }
  // 32 concurrent attempts of 20000 on one payment of 50000: at most two fit.
  const std::string target = payment_ids[0];
  std::atomic<int> accepted{0}, refused{0};
  std::vector<std::thread> refunders;
  for (int i = 0; i < 32; ++i) {
    refunders.emplace_back([&, i] {
      HttpClient c(ports[i % 2]);
      const auto res = c.post(
          "/api/v1/refunds",
          json::serialize(json::object{{"payment_id", target}, {"amount", 20000}}), demo_auth());
      if (res.status == 201) {
        ++accepted;
      } else {
        EXPECT_EQ(res.status, 400) << res.body;
        ++refused;
      }
    });
  }
  for (auto& t : refunders) t.join();
  EXPECT_EQ(accepted.load(), 2);
  EXPECT_EQ(refused.load(), 30);

  // The queue drains: every job done, none dead.
  EXPECT_TRUE(eventually(
      [&] { return scalar(db, "SELECT count(*) FROM jobs WHERE state <> 'done'") == 0; }, 60s))
      << pg_query(db, "SELECT count(*) FROM jobs WHERE state <> 'done'")[0][0] << " jobs left";
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM jobs WHERE state = 'dead'"), 0);

  // One success per order; one payment per order (one per idempotency key).
  EXPECT_EQ(scalar(db,
                   "SELECT count(*) FROM (SELECT order_id FROM payments WHERE status = 'SUCCESS'"
                   " GROUP BY order_id HAVING count(*) > 1) x"),
            0);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM payments"), kThreads * kPerThread);
  EXPECT_EQ(scalar(db, "SELECT count(DISTINCT order_id) FROM payments"), kThreads * kPerThread);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM idempotency_keys WHERE state = 'done'"),
            kThreads * kPerThread);
  // Refunds never above the amount, and the kept sum agrees with the rows.
  EXPECT_EQ(scalar(db,
                   "SELECT count(*) FROM payments p WHERE p.amount_refunded > p.amount"
                   " OR p.amount_refunded <> (SELECT coalesce(sum(amount), 0) FROM refunds r"
                   " WHERE r.payment_id = p.id AND r.status = 'PROCESSED')"),
            0);
  EXPECT_EQ(scalar(db,
                   "SELECT count(*) FROM (SELECT payment_id FROM refunds WHERE status <> 'FAILED'"
                   " GROUP BY payment_id HAVING sum(refunds.amount) > " +
                       std::to_string(kAmount) + ") x"),
            0);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM refunds WHERE payment_id = '" + target + "'"), 2);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM refunds WHERE status = 'PROCESSED'"),
            static_cast<std::int64_t>(payment_ids.size() - 1 + 2));

  // Webhooks: each event logged once per endpoint, delivered, and received
  // at least once.
  EXPECT_EQ(scalar(db,
                   "SELECT count(*) FROM (SELECT event_id FROM webhook_deliveries"
                   " GROUP BY event_id, webhook_id HAVING count(*) > 1) x"),
            0);
  EXPECT_EQ(scalar(db,
                   "SELECT count(*) FROM events e WHERE NOT EXISTS"
                   " (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id)"),
            0);
  EXPECT_TRUE(eventually(
      [&] {
        return scalar(db, "SELECT count(*) FROM webhook_deliveries WHERE status <> 'success'") == 0;
      },
      30s));
  std::set<std::string> received;
  for (const auto& r : receiver.requests("/hook")) {
    boost::system::error_code ec;
    const auto v = json::parse(r.body, ec);
    if (!ec && v.is_object()) received.insert(str(v.as_object().at("id")));
  }
  const auto events = pg_query(db, "SELECT id FROM events");
  EXPECT_GE(events.size(), payment_ids.size() * 2) << "payment and refund events";
  for (const auto& row : events)
    EXPECT_TRUE(received.contains(row[0])) << row[0] << " never received";

  EXPECT_TRUE(api2.process->running()) << api2.process->log();
  EXPECT_TRUE(worker2->running()) << worker2->log();
  EXPECT_EQ(worker2->stop(SIGTERM), 0) << worker2->log();
}

}  // namespace
}  // namespace paygate::test
