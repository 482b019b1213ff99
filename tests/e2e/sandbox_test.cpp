// The sandbox (issue 24), end to end: test mode's reset of one merchant's
// objects.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "flows.h"
#include "harness.h"
#include "receiver.h"

namespace paygate::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::string_view kReset = "/api/v1/test/reset";

// ---------------------------------------------------------------- helpers

std::int64_t count_of(HttpClient& c, std::string_view list, const Headers& headers) {
  const auto res = c.get(list, headers);
  EXPECT_EQ(res.status, 200) << list << " -> " << res.body;
  const auto v = res.json();
  if (v.is_array()) return static_cast<std::int64_t>(v.as_array().size());
  if (v.is_object() && v.as_object().contains("count"))
    return v.at("count").to_number<std::int64_t>();
  ADD_FAILURE() << list << " is not a list: " << res.body;
  return -1;
}

// What a merchant holds: orders, payments, refunds and webhook log entries.
struct Holdings {
  std::int64_t orders = 0;
  std::int64_t payments = 0;
  std::int64_t refunds = 0;
  std::int64_t deliveries = 0;
  bool operator==(const Holdings&) const = default;
};

Holdings holdings(HttpClient& c, const Headers& headers) {
  return {count_of(c, "/api/v1/orders?count=100", headers),
          count_of(c, "/api/v1/payments?count=100", headers),
          count_of(c, "/api/v1/refunds?count=100", headers),
          count_of(c, "/api/v1/webhook-logs?count=100", headers)};
}

std::ostream& operator<<(std::ostream& os, const Holdings& h) {
  return os << "{orders " << h.orders << ", payments " << h.payments << ", refunds " << h.refunds
            << ", deliveries " << h.deliveries << "}";
}

// A webhook endpoint of the merchant's, to the receiver.
void subscribe(HttpClient& c, const Receiver& r, std::string_view path, const Headers& headers) {
  const auto res =
      c.post("/api/v1/webhooks", json::serialize(json::object{{"url", r.url(path)}}), headers);
  ASSERT_EQ(res.status, 201) << res.body;
}

// A captured payment with a processed refund, an idempotent order, and the
// webhook deliveries they cause: a little of everything a reset deletes.
struct Made {
  std::string order;    // made under Idempotency-Key "reset-key"
  std::string payment;  // captured
  std::string refund;   // PROCESSED
};

Made make_some(HttpClient& c, const Headers& headers) {
  Made m;
  Headers keyed = headers;
  keyed.emplace_back("Idempotency-Key", "reset-key");
  const auto order = c.post("/api/v1/orders", R"({"amount": 1000})", keyed);
  EXPECT_EQ(order.status, 201) << order.body;
  m.order = str(object_of(order).at("id"));
  m.payment = captured_payment(c, headers);
  const auto refund =
      c.post("/api/v1/refunds",
             json::serialize(json::object{{"payment_id", m.payment}, {"amount", 100}}), headers);
  EXPECT_EQ(refund.status, 201) << refund.body;
  m.refund = str(object_of(refund).at("id"));
  EXPECT_TRUE(eventually([&] {
    const auto r = c.get("/api/v1/refunds/" + m.refund, headers);
    return r.status == 200 && object_of(r).at("status") == "PROCESSED";
  }));
  return m;
}

ServerOptions live_options() {
  ServerOptions o;
  o.test_mode = false;
  return o;
}

// ---------------------------------------------------------------- reset

TEST(SandboxReset, DeletesTheMerchantsObjectsAndNothingOfAnotherMerchant) {
  auto server = TestServer::start();
  auto c = server->client();
  const MerchantCreds other = create_merchant(*server, "Other");
  Receiver receiver;
  subscribe(c, receiver, "/demo", demo_auth());
  subscribe(c, receiver, "/other", other.headers());

  const Made demo = make_some(c, demo_auth());
  const Made theirs = make_some(c, other.headers());
  // Every delivery made (and its events) before the counts are taken.
  // payment.success, payment.captured and refund.processed of each.
  ASSERT_TRUE(receiver.wait_for("/demo", 3));
  ASSERT_TRUE(receiver.wait_for("/other", 3));
  const Holdings before_other = holdings(c, other.headers());
  ASSERT_GT(before_other.deliveries, 0);

  const auto res = c.post(kReset, "", demo_auth());
  ASSERT_EQ(res.status, 200) << res.body;
  const auto body = object_of(res);
  EXPECT_EQ(body.at("merchant_id"), "mrc_testmerchant0001");
  const auto& deleted = body.at("deleted").as_object();
  EXPECT_EQ(deleted.at("orders"), 2) << res.body;  // the keyed order and the payment's
  EXPECT_EQ(deleted.at("payments"), 1) << res.body;
  EXPECT_EQ(deleted.at("refunds"), 1) << res.body;
  EXPECT_GE(deleted.at("events").to_number<std::int64_t>(), 3) << res.body;
  EXPECT_GE(deleted.at("webhook_deliveries").to_number<std::int64_t>(), 3) << res.body;
  EXPECT_GE(deleted.at("webhook_attempts").to_number<std::int64_t>(), 3) << res.body;
  EXPECT_GE(deleted.at("idempotency_keys").to_number<std::int64_t>(), 1) << res.body;
  EXPECT_GE(deleted.at("jobs").to_number<std::int64_t>(), 2) << res.body;

  // The demo merchant's slate is clean.
  EXPECT_EQ(holdings(c, demo_auth()), Holdings{}) << res.body;
  EXPECT_EQ(c.get("/api/v1/orders/" + demo.order, demo_auth()).status, 404);
  EXPECT_EQ(c.get(payment_path(demo.payment), demo_auth()).status, 404);
  EXPECT_EQ(c.get("/api/v1/refunds/" + demo.refund, demo_auth()).status, 404);
  const auto stats = object_of(c.get("/api/v1/admin/stats", demo_auth()));
  EXPECT_EQ(stats.at("payments").at("total"), 0) << json::serialize(stats);
  EXPECT_EQ(stats.at("refunds").at("total"), 0) << json::serialize(stats);
  // Its webhook endpoint stays.
  EXPECT_EQ(count_of(c, "/api/v1/webhooks", demo_auth()), 1);
  // Its idempotency key is free again: another body under it is a new order.
  Headers keyed = demo_auth();
  keyed.emplace_back("Idempotency-Key", "reset-key");
  const auto again = c.post("/api/v1/orders", R"({"amount": 2000})", keyed);
  EXPECT_EQ(again.status, 201) << again.body;

  // The other merchant's objects are all there, its key still replays.
  EXPECT_EQ(holdings(c, other.headers()), before_other);
  EXPECT_EQ(c.get("/api/v1/orders/" + theirs.order, other.headers()).status, 200);
  EXPECT_EQ(get_payment(c, theirs.payment, other.headers()).at("status"), "SUCCESS");
  EXPECT_EQ(c.get("/api/v1/refunds/" + theirs.refund, other.headers()).status, 200);
  Headers their_key = other.headers();
  their_key.emplace_back("Idempotency-Key", "reset-key");
  const auto replay = c.post("/api/v1/orders", R"({"amount": 1000})", their_key);
  EXPECT_EQ(replay.status, 201) << replay.body;
  EXPECT_EQ(replay.header("Idempotent-Replayed"), "true");
  EXPECT_EQ(str(object_of(replay).at("id")), theirs.order);
  const auto their_stats = object_of(c.get("/api/v1/admin/stats", other.headers()));
  EXPECT_EQ(their_stats.at("payments").at("total"), 1) << json::serialize(their_stats);

  // The demo merchant pays again as before, and its webhooks still come.
  receiver.clear();
  const std::string fresh = captured_payment(c, demo_auth());
  EXPECT_FALSE(fresh.empty());
  EXPECT_TRUE(receiver.wait_for("/demo", 2));
}

TEST(SandboxReset, TwiceDeletesNothingMore) {
  auto server = TestServer::start();
  auto c = server->client();
  captured_payment(c, demo_auth());
  ASSERT_EQ(c.post(kReset, "{}", demo_auth()).status, 200);
  const auto res = c.post(kReset, "", demo_auth());
  ASSERT_EQ(res.status, 200) << res.body;
  const auto body = object_of(res);
  for (const auto& [name, n] : body.at("deleted").as_object()) {
    EXPECT_EQ(n, 0) << name;
  }
}

TEST(SandboxReset, NeedsTheMerchantsKeyAndSecret) {
  auto server = TestServer::start();
  auto c = server->client();
  const auto res = c.post(kReset, "", {{"X-Api-Key", std::string(kDemoKey)}});
  EXPECT_EQ(res.status, 401) << res.body;
  EXPECT_EQ(res.error_code(), "AUTHENTICATION_ERROR");
  const auto bad_body = c.post(kReset, "[1]", demo_auth());
  EXPECT_EQ(bad_body.status, 400) << bad_body.body;
}

TEST(SandboxReset, IsNotThereOutsideTestMode) {
  auto server = TestServer::start(live_options());
  const MerchantCreds m = create_merchant(*server, "Live");
  auto c = server->client();
  const auto res = c.post(kReset, "", m.headers());
  EXPECT_EQ(res.status, 404) << res.body;
  EXPECT_EQ(res.error_code(), "NOT_FOUND_ERROR");
}

}  // namespace
}  // namespace paygate::test
