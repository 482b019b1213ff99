// GET /api/v1/admin/stats end to end: on a fresh database the numbers are
// exactly what the test created (payments by status, refunds and their sum,
// webhook deliveries, failures and retries, latency), another merchant's
// activity does not show, and from/to windows give the same numbers whether
// they are answered from the hourly running totals or from the objects.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <ctime>
#include <string>

#include "flows.h"
#include "harness.h"
#include "receiver.h"

namespace paygate::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::string_view kStats = "/api/v1/admin/stats";

json::object stats(HttpClient& c, const Headers& headers = demo_auth(),
                   std::string_view query = {}) {
  const auto res = c.get(std::string(kStats) + std::string(query), headers);
  EXPECT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.header("Content-Type"), "application/json");
  return res.status == 200 ? object_of(res) : json::object{};
}

double number(const json::object& o, std::string_view block, std::string_view key) {
  const auto* b = o.if_contains(block);
  if (b == nullptr || !b->is_object() || !b->as_object().contains(key)) {
    ADD_FAILURE() << block << "." << key << " missing in " << json::serialize(o);
    return -1;
  }
  const auto& v = b->as_object().at(key);
  if (!v.is_number()) {
    ADD_FAILURE() << block << "." << key << " is not a number in " << json::serialize(o);
    return -1;
  }
  return v.to_number<double>();
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

HttpResponse refund(HttpClient& c, std::string_view payment, std::int64_t amount) {
  return c.post("/api/v1/refunds",
                json::serialize(json::object{{"payment_id", payment}, {"amount", amount}}),
                demo_auth());
}

TEST(Stats, FreshDatabaseIsAllZerosNeverNull) {
  auto server = TestServer::start();
  auto c = server->client();
  const auto s = stats(c);
  for (const auto* block : {"payments", "webhooks", "latency_sec", "refunds"}) {
    ASSERT_TRUE(s.contains(block)) << json::serialize(s);
    for (const auto& [key, value] : s.at(block).as_object()) {
      EXPECT_TRUE(value.is_number()) << block << "." << key << " = " << json::serialize(value);
      if (value.is_number()) {
        EXPECT_EQ(value.to_number<double>(), 0) << block << "." << key;
      }
    }
  }
  for (const auto* key :
       {"total", "success", "failed", "processing", "success_rate_pct", "failure_rate_pct"}) {
    EXPECT_TRUE(s.at("payments").as_object().contains(key)) << key;
  }
  for (const auto* key : {"total", "failed", "retries", "success_rate_pct"}) {
    EXPECT_TRUE(s.at("webhooks").as_object().contains(key)) << key;
  }
  for (const auto* key : {"avg", "min", "max", "p50", "p95", "p99"}) {
    EXPECT_TRUE(s.at("latency_sec").as_object().contains(key)) << key;
  }
  for (const auto* key : {"total", "processed", "failed", "pending", "amount_refunded"}) {
    EXPECT_TRUE(s.at("refunds").as_object().contains(key)) << key;
  }
}

TEST(Stats, NeedsTheMerchantsKeyAndSecretAndValidatesTheWindow) {
  auto server = TestServer::start();
  auto c = server->client();
  EXPECT_EQ(c.get(kStats).status, 401);
  EXPECT_EQ(c.get(kStats, auth(kDemoKey, "secret_wrong")).error_code(), "AUTHENTICATION_ERROR");
  for (const char* bad : {"?from=abc", "?to=-1", "?from=200&to=100", "?from=1.5"}) {
    const auto res = c.get(std::string(kStats) + bad, demo_auth());
    EXPECT_EQ(res.status, 400) << bad << ": " << res.body;
    EXPECT_EQ(res.error_code(), "BAD_REQUEST_ERROR") << bad;
  }
}

TEST(Stats, CountsExactlyWhatTheTestDid) {
  Receiver receiver;
  receiver.respond_statuses("/ok", {200});
  receiver.respond_statuses("/down", {500});
  auto server = TestServer::start({.test_mode = true,
                                   .args = {},
                                   .env = {{"PAYGATE_PROCESSING_DELAY_MS", "40"},
                                           {"PAYGATE_WEBHOOK_RETRY_SCHEDULE", "0.1,0.1"}}});
  auto c = server->client();
  const std::int64_t started = unix_now();

  // Every event to /ok; only payment.failed to /down, which always fails:
  // 3 attempts each, so 2 retries each.
  ASSERT_EQ(c.post("/api/v1/webhooks", json::serialize(json::object{{"url", receiver.url("/ok")}}),
                   demo_auth())
                .status,
            201);
  ASSERT_EQ(c.post("/api/v1/webhooks",
                   json::serialize(json::object{{"url", receiver.url("/down")},
                                                {"events", json::array{"payment.failed"}}}),
                   demo_auth())
                .status,
            201);

  // 6 payments: 4 succeed (all captured by the public endpoint), 2 fail.
  const std::string a = captured_payment(c, demo_auth(), card("4111111111111111"));
  const std::string b = captured_payment(c, demo_auth(), upi("alice@upi"));
  const std::string refund_fails = captured_payment(c, demo_auth(), card("4000000000000077"));
  const std::string d = captured_payment(c, demo_auth(), upi("bob@upi"));
  const std::string declined = start_payment(c, card("4000000000000002"));
  const std::string upi_failed = start_payment(c, upi("failure@upi"));
  EXPECT_EQ(str(wait_settled(c, declined).at("status")), "FAILED");
  EXPECT_EQ(str(wait_settled(c, upi_failed).at("status")), "FAILED");
  (void)d;

  // Refunds: all of a, part of b, and one that fails.
  ASSERT_EQ(refund(c, a, kOrderAmount).status, 201);
  ASSERT_EQ(refund(c, b, 12345).status, 201);
  ASSERT_EQ(refund(c, refund_fails, 1000).status, 201);

  // Wait until every refund and webhook delivery is settled.
  // Events: 4 payment.success + 4 payment.captured + 2 payment.failed +
  // 2 refund.processed + 1 refund.failed = 13 to /ok, 2 to /down.
  json::object s;
  const bool settled = eventually(
      [&] {
        s = stats(c);
        return number(s, "refunds", "pending") == 0 && number(s, "refunds", "total") == 3 &&
               number(s, "webhooks", "total") == 15 && number(s, "webhooks", "failed") == 2 &&
               number(s, "webhooks", "success") == 13;
      },
      20s);
  ASSERT_TRUE(settled) << json::serialize(s);

  EXPECT_EQ(number(s, "payments", "total"), 6);
  EXPECT_EQ(number(s, "payments", "success"), 4);
  EXPECT_EQ(number(s, "payments", "failed"), 2);
  EXPECT_EQ(number(s, "payments", "processing"), 0);
  EXPECT_EQ(number(s, "payments", "success_rate_pct"), 66.67);
  EXPECT_EQ(number(s, "payments", "failure_rate_pct"), 33.33);

  EXPECT_EQ(number(s, "refunds", "processed"), 2);
  EXPECT_EQ(number(s, "refunds", "failed"), 1);
  EXPECT_EQ(number(s, "refunds", "amount_refunded"), kOrderAmount + 12345);

  EXPECT_EQ(number(s, "webhooks", "retries"), 4);
  EXPECT_EQ(number(s, "webhooks", "success_rate_pct"), 86.67);  // 13 of 15

  // Latency: PROCESSING -> final took the 40 ms processing delay, or a little more.
  const double min = number(s, "latency_sec", "min");
  const double max = number(s, "latency_sec", "max");
  EXPECT_GE(min, 0.04);
  EXPECT_LT(max, 5);
  EXPECT_GE(number(s, "latency_sec", "avg"), min);
  EXPECT_LE(number(s, "latency_sec", "avg"), max);
  EXPECT_GE(number(s, "latency_sec", "p50"), min);
  EXPECT_LE(number(s, "latency_sec", "p50"), number(s, "latency_sec", "p95"));
  EXPECT_LE(number(s, "latency_sec", "p95"), number(s, "latency_sec", "p99"));
  EXPECT_LE(number(s, "latency_sec", "p99"), max);
  EXPECT_EQ(number(s, "latency_sec", "count"), 6);

  // A window around the test is answered from the objects (partial hours)
  // and must agree with the running totals.
  const std::string around =
      "?from=" + std::to_string(started - 1) + "&to=" + std::to_string(unix_now() + 1);
  const auto windowed = stats(c, demo_auth(), around);
  EXPECT_EQ(json::serialize(windowed), json::serialize(s));

  // A window of whole hours that holds the test (hourly totals only)...
  const std::int64_t hour_start = started / 3600 * 3600;
  const std::string whole_hours = "?from=" + std::to_string(hour_start - 3600) +
                                  "&to=" + std::to_string(hour_start + 2 * 3600 - 1);
  EXPECT_EQ(json::serialize(stats(c, demo_auth(), whole_hours)), json::serialize(s));

  // ...and windows before and after it are empty.
  const auto before = stats(c, demo_auth(), "?to=" + std::to_string(started - 3600 * 24));
  EXPECT_EQ(number(before, "payments", "total"), 0);
  EXPECT_EQ(number(before, "refunds", "amount_refunded"), 0);
  const auto after = stats(c, demo_auth(), "?from=" + std::to_string(unix_now() + 10));
  EXPECT_EQ(number(after, "payments", "total"), 0);
  EXPECT_EQ(number(after, "webhooks", "total"), 0);
  EXPECT_EQ(number(after, "latency_sec", "p99"), 0);
}

TEST(Stats, AnotherMerchantsActivityDoesNotShow) {
  auto server = TestServer::start();
  auto c = server->client();
  const MerchantCreds other = create_merchant(*server);
  const std::string theirs = captured_payment(c, other.headers(), upi("carol@upi"));
  ASSERT_EQ(c.post("/api/v1/refunds",
                   json::serialize(json::object{{"payment_id", theirs}, {"amount", 100}}),
                   other.headers())
                .status,
            201);
  const std::string ours = start_payment(c, upi("failure@upi"));
  wait_settled(c, ours);

  const auto mine = stats(c);
  EXPECT_EQ(number(mine, "payments", "total"), 1);
  EXPECT_EQ(number(mine, "payments", "failed"), 1);
  EXPECT_EQ(number(mine, "payments", "failure_rate_pct"), 100);
  EXPECT_EQ(number(mine, "refunds", "total"), 0);

  const auto theirs_stats = stats(c, other.headers());
  EXPECT_EQ(number(theirs_stats, "payments", "total"), 1);
  EXPECT_EQ(number(theirs_stats, "payments", "success"), 1);
  EXPECT_EQ(number(theirs_stats, "payments", "success_rate_pct"), 100);
  EXPECT_EQ(number(theirs_stats, "refunds", "total"), 1);
}

}  // namespace
}  // namespace paygate::test
