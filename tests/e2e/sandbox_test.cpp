// The sandbox (issue 24), end to end: test mode's reset of one merchant's
// objects, the X-Paygate-Test-Outcome header, the timed and stuck test
// instruments, the shopper's authentication step, and `paygate fixtures load`.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/crypto.h"
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

ServerOptions env_options(std::map<std::string, std::string> env) {
  ServerOptions o;
  o.env = std::move(env);
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

// ---------------------------------------------------------------- timing helpers

using Clock = std::chrono::steady_clock;

std::int64_t ms_since(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

// The slow instruments' delay the timing tests run with, and the timeouts
// around it: short, so the suite stays quick, and far enough apart that a
// slow machine cannot blur one into the other.
constexpr int kSlowMs = 1500;
constexpr int kProcessingTimeoutMs = 4000;

ServerOptions timed_options(std::map<std::string, std::string> more = {}) {
  ServerOptions o;
  o.env = {{"PAYGATE_SANDBOX_DELAY_MS", std::to_string(kSlowMs)},
           {"PAYGATE_PROCESSING_TIMEOUT_MS", std::to_string(kProcessingTimeoutMs)},
           {"PAYGATE_RECONCILE_INTERVAL_MS", "200"}};
  for (auto& [k, v] : more) o.env[k] = v;
  return o;
}

json::object card_of(std::string_view number) {
  return card(number);
}

// A merchant payment of a new order with instrument (and extra headers); the answer.
HttpResponse pay(HttpClient& c, json::object instrument, const Headers& extra = {},
                 const Headers& headers = demo_auth()) {
  instrument["order_id"] = create_order(c, headers);
  Headers all = headers;
  all.insert(all.end(), extra.begin(), extra.end());
  return c.post("/api/v1/payments", json::serialize(instrument), all);
}

std::string paid(HttpClient& c, json::object instrument, const Headers& extra = {}) {
  const auto res = pay(c, std::move(instrument), extra);
  EXPECT_EQ(res.status, 201) << res.body;
  return res.status == 201 ? str(object_of(res).at("id")) : std::string();
}

Headers outcome(std::string_view script) {
  return {{"X-Paygate-Test-Outcome", std::string(script)}};
}

std::string status_of(HttpClient& c, std::string_view id) {
  return str(get_payment(c, id).at("status"));
}

// The payment settled, and how long after `since` it was first seen so.
struct Settled {
  json::object payment;
  std::int64_t after_ms = 0;
};

Settled settle_timed(HttpClient& c, std::string_view id, Clock::time_point since,
                     std::chrono::milliseconds timeout = 15s) {
  Settled out;
  out.payment = wait_settled(c, id, demo_auth(), timeout);
  out.after_ms = ms_since(since);
  return out;
}

// ---------------------------------------------------------------- instruments

TEST(SandboxInstruments, SlowCardAndVpaSucceedAfterTheSlowDelay) {
  auto server = TestServer::start(timed_options());
  auto c = server->client();
  for (const json::object& instrument : {card_of("4000000000000036"), upi("slow@upi")}) {
    const auto started = Clock::now();
    const std::string id = paid(c, instrument);
    ASSERT_FALSE(id.empty());
    // Well before the delay is up it is still being processed.
    EXPECT_TRUE(eventually([&] { return status_of(c, id) == "PROCESSING"; }, 1s));
    std::this_thread::sleep_for(std::chrono::milliseconds(kSlowMs / 2));
    EXPECT_EQ(status_of(c, id), "PROCESSING");
    const Settled s = settle_timed(c, id, started);
    EXPECT_EQ(s.payment.at("status"), "SUCCESS") << json::serialize(s.payment);
    EXPECT_GE(s.after_ms, kSlowMs) << json::serialize(instrument);
    EXPECT_LT(s.after_ms, kProcessingTimeoutMs) << json::serialize(instrument);
  }
}

TEST(SandboxInstruments, SlowPaymentsHoldNoWorker) {
  // One payment job in flight at a time: a slow payment that held its worker
  // would keep every other payment waiting for its whole delay.
  auto server = TestServer::start(timed_options({{"PAYGATE_WORKER_CONCURRENCY", "1"}}));
  auto c = server->client();
  std::vector<std::string> slow;
  for (int i = 0; i < 4; ++i) slow.push_back(paid(c, upi("slow@upi")));
  const auto started = Clock::now();
  const std::string quick = paid(c, upi("success@upi"));
  const Settled q = settle_timed(c, quick, started);
  EXPECT_EQ(q.payment.at("status"), "SUCCESS");
  EXPECT_LT(q.after_ms, kSlowMs) << "an ordinary payment waited for the slow ones";
  for (const auto& id : slow) {
    EXPECT_EQ(wait_settled(c, id).at("status"), "SUCCESS");
  }
}

TEST(SandboxInstruments, UnansweredPaymentStaysProcessingUntilTheTimeout) {
  auto server = TestServer::start(timed_options());
  auto c = server->client();
  for (const json::object& instrument : {card_of("4000000000000044"), upi("timeout@upi")}) {
    const auto started = Clock::now();
    const std::string id = paid(c, instrument);
    ASSERT_FALSE(id.empty());
    EXPECT_TRUE(eventually([&] { return status_of(c, id) == "PROCESSING"; }, 1s));
    std::this_thread::sleep_for(std::chrono::milliseconds(kProcessingTimeoutMs / 2));
    EXPECT_EQ(status_of(c, id), "PROCESSING");
    const Settled s = settle_timed(c, id, started);
    EXPECT_EQ(s.payment.at("status"), "FAILED");
    EXPECT_EQ(s.payment.at("error_code"), "PROCESSING_TIMEOUT") << json::serialize(s.payment);
    EXPECT_GE(s.after_ms, kProcessingTimeoutMs);
  }
}

TEST(SandboxInstruments, GatewayErrorFailsAtOnce) {
  auto server = TestServer::start(timed_options());
  auto c = server->client();
  for (const json::object& instrument : {card_of("4000000000000051"), upi("gatewayerror@upi")}) {
    const auto started = Clock::now();
    const std::string id = paid(c, instrument);
    const Settled s = settle_timed(c, id, started);
    EXPECT_EQ(s.payment.at("status"), "FAILED");
    EXPECT_EQ(s.payment.at("error_code"), "GATEWAY_ERROR") << json::serialize(s.payment);
    EXPECT_LT(s.after_ms, kSlowMs);
  }
  // The Razorpay dialect names it as Razorpay does.
  const std::string id = paid(c, upi("gatewayerror@upi"));
  wait_settled(c, id);
  const auto rzp = c.get("/v1/payments/" + id,
                         {{"Authorization", "Basic " + base64_encode(std::string(kDemoKey) + ":" +
                                                                     std::string(kDemoSecret))}});
  ASSERT_EQ(rzp.status, 200) << rzp.body;
  const auto p = object_of(rzp);
  EXPECT_EQ(p.at("error_code"), "GATEWAY_ERROR");
  EXPECT_EQ(p.at("error_source"), "gateway");
  EXPECT_EQ(p.at("error_reason"), "gateway_technical_error");
}

TEST(SandboxInstruments, SlowRefundStaysPendingForTheSlowDelay) {
  auto server = TestServer::start(timed_options());
  auto c = server->client();
  for (const json::object& instrument : {card_of("4000000000000069"), upi("slowrefund@upi")}) {
    const std::string payment = captured_payment(c, demo_auth(), instrument);
    ASSERT_FALSE(payment.empty());
    const auto started = Clock::now();
    const auto res = c.post("/api/v1/refunds",
                            json::serialize(json::object{{"payment_id", payment}}), demo_auth());
    ASSERT_EQ(res.status, 201) << res.body;
    const std::string refund = str(object_of(res).at("id"));
    const auto refund_status = [&] {
      return str(object_of(c.get("/api/v1/refunds/" + refund, demo_auth())).at("status"));
    };
    std::this_thread::sleep_for(std::chrono::milliseconds(kSlowMs / 2));
    EXPECT_EQ(refund_status(), "PENDING");
    EXPECT_TRUE(eventually([&] { return refund_status() == "PROCESSED"; }, 10s));
    EXPECT_GE(ms_since(started), kSlowMs);
  }
  // An ordinary instrument's refund is not slowed.
  const std::string payment = captured_payment(c);
  const auto started = Clock::now();
  const auto res = c.post("/api/v1/refunds", json::serialize(json::object{{"payment_id", payment}}),
                          demo_auth());
  const std::string refund = str(object_of(res).at("id"));
  EXPECT_TRUE(eventually([&] {
    return object_of(c.get("/api/v1/refunds/" + refund, demo_auth())).at("status") == "PROCESSED";
  }));
  EXPECT_LT(ms_since(started), kSlowMs);
}

// ---------------------------------------------------------------- the outcome header

TEST(SandboxOutcomeHeader, ScriptsTheOutcomeAndItsTime) {
  auto server = TestServer::start(timed_options());
  auto c = server->client();
  struct Case {
    json::object instrument;
    std::string script;
    std::string status;
    std::string error_code;  // "" for none
    int at_least_ms;
  };
  const Case cases[] = {
      {upi("success@upi"), "failed:CARD_DECLINED;delay=1000", "FAILED", "CARD_DECLINED", 1000},
      {upi("failure@upi"), "success", "SUCCESS", "", 0},
      {card_of("4000000000000002"), " delay=800 ", "FAILED", "CARD_DECLINED", 800},
      {upi("success@upi"), "failed", "FAILED", "PAYMENT_FAILED", 0},
      {upi("success@upi"), "delay=0;failed:BANK_DOWN_42", "FAILED", "BANK_DOWN_42", 0},
      {card_of("4000000000000044"), "success", "SUCCESS", "", 0},
  };
  for (const auto& k : cases) {
    const auto started = Clock::now();
    const auto res = pay(c, k.instrument, outcome(k.script));
    ASSERT_EQ(res.status, 201) << k.script << " -> " << res.body;
    const std::string id = str(object_of(res).at("id"));
    const Settled s = settle_timed(c, id, started);
    EXPECT_EQ(str(s.payment.at("status")), k.status) << k.script << json::serialize(s.payment);
    if (k.error_code.empty()) {
      EXPECT_TRUE(s.payment.at("error_code").is_null()) << k.script;
    } else {
      EXPECT_EQ(str(s.payment.at("error_code")), k.error_code) << k.script;
    }
    EXPECT_GE(s.after_ms, k.at_least_ms) << k.script;
  }
}

TEST(SandboxOutcomeHeader, TimeoutLeavesThePaymentToTheReconciliation) {
  auto server = TestServer::start(timed_options());
  auto c = server->client();
  const auto started = Clock::now();
  const std::string id = paid(c, upi("success@upi"), outcome("timeout"));
  std::this_thread::sleep_for(std::chrono::milliseconds(kProcessingTimeoutMs / 2));
  EXPECT_EQ(status_of(c, id), "PROCESSING");
  const Settled s = settle_timed(c, id, started);
  EXPECT_EQ(s.payment.at("error_code"), "PROCESSING_TIMEOUT");
  EXPECT_GE(s.after_ms, kProcessingTimeoutMs);
}

TEST(SandboxOutcomeHeader, ScriptsASequenceOnOneOrder) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string order = create_order(c);
  const auto attempt = [&](std::string_view script) {
    json::object body = upi("success@upi");
    body["order_id"] = order;
    Headers h = demo_auth();
    h.emplace_back("X-Paygate-Test-Outcome", std::string(script));
    const auto res = c.post("/api/v1/payments", json::serialize(body), h);
    EXPECT_EQ(res.status, 201) << res.body;
    return wait_settled(c, str(object_of(res).at("id")));
  };
  EXPECT_EQ(attempt("failed:INSUFFICIENT_FUNDS").at("error_code"), "INSUFFICIENT_FUNDS");
  EXPECT_EQ(attempt("failed:CARD_DECLINED").at("error_code"), "CARD_DECLINED");
  EXPECT_EQ(attempt("success").at("status"), "SUCCESS");
  const auto o = object_of(c.get("/api/v1/orders/" + order, demo_auth()));
  EXPECT_EQ(o.at("status"), "paid");
}

TEST(SandboxOutcomeHeader, MalformedScriptsAreRefusedNamingTheHeader) {
  auto server = TestServer::start();
  auto c = server->client();
  for (const char* script :
       {"", "bogus", "success;failed", "delay=abc", "delay=1;delay=2", "timeout;delay=5",
        "failed:lower", "delay=3600001", "success;", "failed:"}) {
    const auto res = pay(c, upi("success@upi"), outcome(script));
    EXPECT_EQ(res.status, 400) << "'" << script << "' -> " << res.body;
    EXPECT_EQ(res.error_code(), "BAD_REQUEST_ERROR") << script;
    const auto body = res.json();
    EXPECT_EQ(body.at("error").at("field"), "X-Paygate-Test-Outcome") << res.body;
  }
  EXPECT_EQ(object_of(c.get("/api/v1/payments", demo_auth())).at("count"), 0);
}

TEST(SandboxOutcomeHeader, IsRefusedOutsideTestMode) {
  auto server = TestServer::start(live_options());
  const MerchantCreds m = create_merchant(*server, "Live");
  auto c = server->client();
  const auto res = pay(c, upi("success@upi"), outcome("success"), m.headers());
  EXPECT_EQ(res.status, 400) << res.body;
  EXPECT_EQ(res.error_code(), "BAD_REQUEST_ERROR");
  const auto body = res.json();
  EXPECT_EQ(body.at("error").at("field"), "X-Paygate-Test-Outcome");
  EXPECT_NE(str(body.at("error").at("description")).find("test mode"), std::string::npos)
      << res.body;
  EXPECT_EQ(object_of(c.get("/api/v1/payments", m.headers())).at("count"), 0);
  // Without the header, the same payment goes through.
  const auto plain = pay(c, upi("success@upi"), {}, m.headers());
  EXPECT_EQ(plain.status, 201) << plain.body;
}

// ---------------------------------------------------------------- authentication

struct Step {
  std::string payment;
  std::string url;    // next_action.url
  std::string token;  // from url
};

// A payment whose instrument asks its shopper to authenticate.
Step pending_step(HttpClient& c, json::object instrument, const Headers& extra = {},
                  bool merchant_endpoint = true) {
  Step st;
  instrument["order_id"] = create_order(c);
  Headers h = demo_auth();
  h.insert(h.end(), extra.begin(), extra.end());
  const auto res = c.post(merchant_endpoint ? "/api/v1/payments" : "/api/v1/payments/public",
                          json::serialize(instrument), h);
  EXPECT_EQ(res.status, 201) << res.body;
  const auto p = object_of(res);
  EXPECT_EQ(p.at("status"), "CREATED");
  EXPECT_TRUE(p.contains("next_action")) << res.body;
  if (!p.contains("next_action")) return st;
  st.payment = str(p.at("id"));
  st.url = str(p.at("next_action").at("url"));
  st.token = st.url.substr(st.url.find("?token=") + 7);
  return st;
}

std::string auth_path(const Step& st) {
  return "/api/v1/payments/public/" + st.payment + "/authentication";
}

HttpResponse answer(HttpClient& c, const Step& st, std::string_view action,
                    std::optional<std::string_view> otp = std::nullopt) {
  json::object body{{"token", st.token}, {"action", action}};
  if (otp) body["otp"] = *otp;
  return c.post(auth_path(st), json::serialize(body));
}

// The receiver's payment events for this payment, "type:status:error_code",
// in the order of the payment's version: deliveries may arrive in any order
// (docs/API.md), and a receiver orders them by version.
std::vector<std::string> events_of(const Receiver& r, std::string_view payment) {
  std::vector<std::pair<std::int64_t, std::string>> by_version;
  for (const auto& req : r.requests("/hook")) {
    const auto v = json::parse(req.body);
    const auto& data = v.at("data").as_object();
    if (!data.contains("payment") || str(data.at("payment").at("id")) != payment) continue;
    const auto& p = data.at("payment");
    by_version.emplace_back(p.at("version").to_number<std::int64_t>(),
                            str(v.at("event")) + ":" + str(p.at("status")) + ":" +
                                (p.at("error_code").is_null() ? "" : str(p.at("error_code"))));
  }
  std::stable_sort(by_version.begin(), by_version.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (auto& [version, text] : by_version) out.push_back(std::move(text));
  return out;
}

TEST(SandboxAuthentication, CardWaitsForTheOtpThenSucceeds) {
  auto server = TestServer::start();
  auto c = server->client();
  Receiver r;
  subscribe(c, r, "/hook", demo_auth());
  const Step st = pending_step(c, card_of("4000000000003220"));
  ASSERT_FALSE(st.payment.empty());
  EXPECT_NE(st.url.find("/authenticate/" + st.payment + "?token="), std::string::npos) << st.url;
  // Where the request said it was sent (its Host), as a browser's would.
  EXPECT_TRUE(st.url.starts_with("http://127.0.0.1")) << st.url;
  auto p = get_payment(c, st.payment);
  EXPECT_EQ(p.at("next_action").at("type"), "otp");
  EXPECT_TRUE(is_iso_micros(str(p.at("next_action").at("expires_at"))));
  // The job does not move it on while the shopper has not answered.
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(status_of(c, st.payment), "CREATED");
  // The checkout's read by id alone shows the step, not where to answer it.
  const auto pub = object_of(c.get("/api/v1/payments/public/" + st.payment));
  EXPECT_EQ(pub.at("next_action").at("type"), "otp");
  EXPECT_FALSE(pub.at("next_action").as_object().contains("url"));
  // The hosted page, at the URL's path.
  const auto page = c.get(st.url.substr(st.url.find("/authenticate/")));
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.header("Content-Type").find("text/html"), std::string::npos);
  // What the page reads: only with the token.
  EXPECT_EQ(c.get(auth_path(st)).status, 404);
  EXPECT_EQ(c.get(auth_path(st) + "?token=00" + st.token.substr(2)).status, 404);
  const auto a = object_of(c.get(auth_path(st) + "?token=" + st.token));
  EXPECT_EQ(a.at("status"), "pending");
  EXPECT_EQ(a.at("type"), "otp");
  EXPECT_EQ(a.at("attempts_left"), 3);
  EXPECT_EQ(a.at("card_last4"), "3220");
  EXPECT_EQ(a.at("amount"), kOrderAmount);
  EXPECT_EQ(a.at("payment_status"), "CREATED");

  const auto ok = answer(c, st, "approve", "123456");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(object_of(ok).at("status"), "approved");
  p = wait_settled(c, st.payment);
  EXPECT_EQ(p.at("status"), "SUCCESS") << json::serialize(p);
  EXPECT_FALSE(p.contains("next_action"));
  // Answered once: a second answer is refused.
  const auto again = answer(c, st, "approve", "123456");
  EXPECT_EQ(again.status, 400) << again.body;
  EXPECT_EQ(again.json().at("error").at("field"), "action");
  ASSERT_TRUE(r.wait_for("/hook", 1));
  EXPECT_EQ(events_of(r, st.payment), std::vector<std::string>{"payment.success:SUCCESS:"});
}

TEST(SandboxAuthentication, WrongOtpThreeTimesFailsThePayment) {
  auto server = TestServer::start();
  auto c = server->client();
  Receiver r;
  subscribe(c, r, "/hook", demo_auth());
  const Step st = pending_step(c, card_of("4000000000003220"));
  // Not an OTP at all: refused, no attempt spent.
  const auto malformed = answer(c, st, "approve", "12ab");
  EXPECT_EQ(malformed.status, 400) << malformed.body;
  EXPECT_EQ(malformed.json().at("error").at("field"), "otp");
  const auto no_otp = answer(c, st, "approve");
  EXPECT_EQ(no_otp.status, 400) << no_otp.body;
  for (int left = 2; left >= 1; --left) {
    const auto wrong = answer(c, st, "approve", "000000");
    ASSERT_EQ(wrong.status, 200) << wrong.body;
    const auto a = object_of(wrong);
    EXPECT_EQ(a.at("status"), "pending");
    EXPECT_EQ(a.at("attempts_left"), left);
    EXPECT_EQ(a.at("error").at("code"), "INCORRECT_OTP");
    EXPECT_EQ(status_of(c, st.payment), "CREATED");
  }
  const auto third = answer(c, st, "approve", "654321");
  ASSERT_EQ(third.status, 200) << third.body;
  const auto a = object_of(third);
  EXPECT_EQ(a.at("status"), "failed");
  EXPECT_EQ(a.at("attempts_left"), 0);
  EXPECT_EQ(a.at("payment_status"), "FAILED");
  EXPECT_EQ(a.at("error").at("code"), "AUTHENTICATION_FAILED");
  const auto p = get_payment(c, st.payment);
  EXPECT_EQ(p.at("status"), "FAILED");
  EXPECT_EQ(p.at("error_code"), "AUTHENTICATION_FAILED");
  EXPECT_FALSE(p.contains("next_action"));
  // The right OTP is too late now.
  EXPECT_EQ(answer(c, st, "approve", "123456").status, 400);
  ASSERT_TRUE(r.wait_for("/hook", 1));
  EXPECT_EQ(events_of(r, st.payment),
            std::vector<std::string>{"payment.failed:FAILED:AUTHENTICATION_FAILED"});
  // The order may be paid again.
  const auto o = object_of(c.get("/api/v1/orders/" + str(p.at("order_id")), demo_auth()));
  EXPECT_EQ(o.at("status"), "attempted");
}

TEST(SandboxAuthentication, RejectFailsTheCardAndTheUpiPayment) {
  auto server = TestServer::start();
  auto c = server->client();
  Receiver r;
  subscribe(c, r, "/hook", demo_auth());
  for (const json::object& instrument : {card_of("4000000000003220"), upi("otp@upi")}) {
    const Step st = pending_step(c, instrument);
    const auto res = answer(c, st, "reject");
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(object_of(res).at("status"), "rejected");
    const auto p = get_payment(c, st.payment);
    EXPECT_EQ(p.at("status"), "FAILED");
    EXPECT_EQ(p.at("error_code"), "PAYMENT_CANCELLED");
    ASSERT_TRUE(eventually([&] { return !events_of(r, st.payment).empty(); }));
    EXPECT_EQ(events_of(r, st.payment),
              std::vector<std::string>{"payment.failed:FAILED:PAYMENT_CANCELLED"});
  }
}

TEST(SandboxAuthentication, UpiApproveMovesTheCheckoutPaymentOn) {
  auto server = TestServer::start();
  auto c = server->client();
  Receiver r;
  subscribe(c, r, "/hook", demo_auth());
  const Step st = pending_step(c, upi("otp@upi"), {}, false);
  const auto a = object_of(c.get(auth_path(st) + "?token=" + st.token));
  EXPECT_EQ(a.at("type"), "upi_approve");
  EXPECT_TRUE(a.at("attempts_left").is_null());
  EXPECT_EQ(a.at("vpa"), "o***@upi");
  // The token may also come in the query, as in the page's URL.
  const auto ok = c.post(auth_path(st) + "?token=" + st.token, R"({"action": "approve"})");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(object_of(ok).at("status"), "approved");
  const auto p = wait_settled(c, st.payment);
  EXPECT_EQ(p.at("status"), "SUCCESS");
  EXPECT_EQ(p.at("captured"), true);  // a checkout payment, captured on success
  ASSERT_TRUE(r.wait_for("/hook", 2));
  EXPECT_EQ(events_of(r, st.payment),
            (std::vector<std::string>{"payment.success:SUCCESS:", "payment.captured:SUCCESS:"}));
}

TEST(SandboxAuthentication, NoAnswerInTimeFailsThePayment) {
  constexpr int kTimeoutMs = 1200;
  auto server = TestServer::start(
      env_options({{"PAYGATE_AUTHENTICATION_TIMEOUT_MS", std::to_string(kTimeoutMs)}}));
  auto c = server->client();
  Receiver r;
  subscribe(c, r, "/hook", demo_auth());
  const auto started = Clock::now();
  const Step st = pending_step(c, upi("otp@upi"));
  std::this_thread::sleep_for(std::chrono::milliseconds(kTimeoutMs / 2));
  EXPECT_EQ(status_of(c, st.payment), "CREATED");
  const Settled s = settle_timed(c, st.payment, started);
  EXPECT_EQ(s.payment.at("status"), "FAILED");
  EXPECT_EQ(s.payment.at("error_code"), "PAYMENT_TIMED_OUT");
  EXPECT_GE(s.after_ms, kTimeoutMs);
  EXPECT_FALSE(s.payment.contains("next_action"));
  const auto a = object_of(c.get(auth_path(st) + "?token=" + st.token));
  EXPECT_EQ(a.at("status"), "expired");
  EXPECT_EQ(answer(c, st, "approve").status, 400);
  ASSERT_TRUE(r.wait_for("/hook", 1));
  EXPECT_EQ(events_of(r, st.payment),
            std::vector<std::string>{"payment.failed:FAILED:PAYMENT_TIMED_OUT"});
}

TEST(SandboxAuthentication, TheOutcomeHeaderDecidesAfterTheStep) {
  auto server = TestServer::start();
  auto c = server->client();
  const Step st =
      pending_step(c, card_of("4000000000003220"), outcome("failed:INSUFFICIENT_FUNDS"));
  ASSERT_EQ(answer(c, st, "approve", "123456").status, 200);
  const auto p = wait_settled(c, st.payment);
  EXPECT_EQ(p.at("error_code"), "INSUFFICIENT_FUNDS");
}

TEST(SandboxAuthentication, RazorpayDialectShowsTheStepItsWay) {
  auto server = TestServer::start();
  auto c = server->client();
  const Headers rzp = {{"Authorization", "Basic " + base64_encode(std::string(kDemoKey) + ":" +
                                                                  std::string(kDemoSecret))}};
  const Step st = pending_step(c, card_of("4000000000003220"));
  auto p = object_of(c.get("/v1/payments/" + st.payment, rzp));
  EXPECT_EQ(p.at("status"), "created");
  ASSERT_TRUE(p.contains("next")) << json::serialize(p);
  EXPECT_EQ(p.at("next").at(0).at("action"), "redirect");
  EXPECT_EQ(str(p.at("next").at(0).at("url")), st.url);
  ASSERT_EQ(answer(c, st, "reject").status, 200);
  p = object_of(c.get("/v1/payments/" + st.payment, rzp));
  EXPECT_EQ(p.at("status"), "failed");
  EXPECT_FALSE(p.contains("next"));
  EXPECT_EQ(p.at("error_code"), "BAD_REQUEST_ERROR");
  EXPECT_EQ(p.at("error_source"), "customer");
  EXPECT_EQ(p.at("error_step"), "payment_authentication");
  EXPECT_EQ(p.at("error_reason"), "payment_cancelled");
}

TEST(SandboxAuthentication, PublicUrlSettingIsTheUrlsBase) {
  auto server =
      TestServer::start(env_options({{"PAYGATE_PUBLIC_URL", "https://pay.example.com/"}}));
  auto c = server->client();
  const Step st = pending_step(c, upi("otp@upi"));
  EXPECT_TRUE(st.url.starts_with("https://pay.example.com/authenticate/" + st.payment + "?token="))
      << st.url;
}

// ---------------------------------------------------------------- fixtures

std::map<std::string, std::string> cli_env(const TestServer& server,
                                           const MerchantCreds* m = nullptr) {
  return {{"PAYGATE_API_URL", "http://127.0.0.1:" + std::to_string(server.port())},
          {"PAYGATE_API_KEY", m ? m->key : std::string(kDemoKey)},
          {"PAYGATE_API_SECRET", m ? m->secret : std::string(kDemoSecret)}};
}

std::string write_fixture(const TempDir& dir, std::string_view name, std::string_view text) {
  const std::string path = dir.path() + "/" + std::string(name);
  std::ofstream(path) << text;
  return path;
}

// The rows of --format json output, by ref.
std::map<std::string, json::object> rows_by_ref(const ProcessResult& r) {
  std::map<std::string, json::object> out;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    const auto v = json::parse(line).as_object();
    out[v.at("ref").is_null() ? "-" + std::to_string(out.size()) : str(v.at("ref"))] = v;
  }
  return out;
}

constexpr std::string_view kFixture = R"({
  "webhooks": [{"ref": "hook", "url": "RECEIVER", "events": ["payment.success", "refund.processed"]}],
  "orders": [
    {"ref": "order_a", "amount": 50000, "receipt": "fixture-a", "notes": {"case": "refs"}},
    {"ref": "order_b", "amount": 12345, "currency": "INR", "receipt": "copy-of-${order_a.receipt}"}
  ],
  "payments": [
    {"ref": "pay_a", "order_id": "${order_a}", "method": "card", "capture": true,
     "card": {"number": "4111111111111111", "expiry_month": "12", "expiry_year": "2035", "cvv": "123"}},
    {"ref": "pay_b", "order_id": "${order_b.id}", "method": "upi", "vpa": "success@upi",
     "test_outcome": "failed:CARD_DECLINED", "wait": true},
    {"order_id": "${order_b}", "method": "upi", "vpa": "otp@upi"}
  ],
  "refunds": [
    {"ref": "refund_a", "payment_id": "${pay_a}", "amount": 1000, "notes": {"of": "${pay_a.order_id}"}}
  ]
})";

TEST(SandboxFixtures, LoadMakesEveryObjectWithItsReferences) {
  auto server = TestServer::start();
  auto c = server->client();
  Receiver receiver;
  TempDir dir;
  std::string text(kFixture);
  text.replace(text.find("RECEIVER"), 8, receiver.url("/fixture"));
  const std::string path = write_fixture(dir, "shop.json", text);

  const auto r = run_paygate({"fixtures", "load", path, "--format", "json"}, cli_env(*server));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto rows = rows_by_ref(r);
  ASSERT_EQ(rows.size(), 7u) << r.out;
  const std::string order_a = str(rows.at("order_a").at("id"));
  const std::string order_b = str(rows.at("order_b").at("id"));
  const std::string pay_a = str(rows.at("pay_a").at("id"));
  const std::string pay_b = str(rows.at("pay_b").at("id"));
  EXPECT_EQ(rows.at("hook").at("type"), "webhook");
  EXPECT_EQ(rows.at("order_a").at("type"), "order");
  EXPECT_EQ(rows.at("pay_b").at("status"), "FAILED");  // waited for
  EXPECT_EQ(rows.at("refund_a").at("type"), "refund");

  // Every reference pointed at the object made before it.
  EXPECT_EQ(object_of(c.get("/api/v1/orders/" + order_b, demo_auth())).at("receipt"),
            "copy-of-fixture-a");
  const auto a = get_payment(c, pay_a);
  EXPECT_EQ(str(a.at("order_id")), order_a);
  EXPECT_EQ(a.at("status"), "SUCCESS");
  EXPECT_EQ(a.at("captured"), true);
  const auto b = get_payment(c, pay_b);
  EXPECT_EQ(str(b.at("order_id")), order_b);
  EXPECT_EQ(b.at("error_code"), "CARD_DECLINED");  // test_outcome was sent as the header
  const auto refund =
      object_of(c.get("/api/v1/refunds/" + str(rows.at("refund_a").at("id")), demo_auth()));
  EXPECT_EQ(str(refund.at("payment_id")), pay_a);
  EXPECT_EQ(refund.at("amount"), 1000);
  const auto payments_of_b =
      object_of(c.get("/api/v1/payments?order_id=" + order_b, demo_auth())).at("items").as_array();
  EXPECT_EQ(payments_of_b.size(), 2u);
  // The webhook endpoint is live: the captured card payment's success came.
  EXPECT_TRUE(receiver.wait_for("/fixture", 1));

  // Text: one line per object, with its ref and id.
  EXPECT_EQ(c.post("/api/v1/test/reset", "", demo_auth()).status, 200);
  const auto t = run_paygate({"fixtures", "load", path}, cli_env(*server));
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(t.out.find("order_a"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("order_"), std::string::npos) << t.out;
  EXPECT_EQ(std::count(t.out.begin(), t.out.end(), '\n'), 7) << t.out;
}

TEST(SandboxFixtures, ABadFileMakesNothing) {
  auto server = TestServer::start();
  auto c = server->client();
  TempDir dir;
  struct Case {
    std::string_view text;
    std::string_view says;
  };
  const Case cases[] = {
      {R"({"orders": [{"amount": 100}], "customers": []})", "unknown section"},
      {R"({"orders": [{"ref": "a", "amount": 100}, {"ref": "a", "amount": 100}]})", "used twice"},
      {R"({"orders": [{"amount": 100}], "payments": [{"order_id": "${nope}"}]})", "nope"},
      // Sections are made in their order (webhooks, orders, payments, refunds),
      // entries in theirs: a reference must name one made before.
      {R"({"orders": [{"receipt": "${b}", "amount": 100}, {"ref": "b", "amount": 100}]})", "${b}"},
      {R"({"payments": [{"order_id": "${r}"}], "refunds": [{"ref": "r"}]})", "${r}"},
      {R"({"orders": [{"ref": "bad name", "amount": 100}]})", "ref"},
      {R"({"orders": {"amount": 100}})", "must be an array"},
      {R"([1, 2])", "not a JSON object"},
      {R"({"orders": [{"receipt": "${x"}]})", "no closing"},
  };
  for (const auto& k : cases) {
    const std::string path = write_fixture(dir, "bad.json", k.text);
    const auto r = run_paygate({"fixtures", "load", path}, cli_env(*server));
    EXPECT_EQ(r.exit_code, 2) << k.text << ": " << r.err;
    EXPECT_NE(r.err.find(k.says), std::string::npos) << k.text << ": " << r.err;
  }
  EXPECT_EQ(object_of(c.get("/api/v1/orders", demo_auth())).at("count"), 0);
  EXPECT_EQ(
      run_paygate({"fixtures", "load", dir.path() + "/missing.json"}, cli_env(*server)).exit_code,
      2);
  EXPECT_EQ(run_paygate({"fixtures"}, {}).exit_code, 2);
  EXPECT_EQ(run_paygate({"fixtures", "load", "--help"}, {}).exit_code, 0);
}

TEST(SandboxFixtures, AServerRefusalStopsTheLoadAndSaysWhichEntry) {
  auto server = TestServer::start();
  TempDir dir;
  const std::string path = write_fixture(dir, "refused.json", R"({
    "orders": [{"ref": "o", "amount": 50000}],
    "payments": [{"order_id": "${o}", "method": "upi", "vpa": "not a vpa"}]})");
  const auto r = run_paygate({"fixtures", "load", path}, cli_env(*server));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("payments[0]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("INVALID_VPA"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("order"), std::string::npos) << "what was made is still printed";
  // Another merchant's credentials make that merchant's objects.
  const MerchantCreds m = create_merchant(*server, "Fixtures");
  const std::string ok = write_fixture(dir, "ok.json", R"({"orders": [{"amount": 700}]})");
  ASSERT_EQ(run_paygate({"fixtures", "load", ok}, cli_env(*server, &m)).exit_code, 0);
  auto c = server->client();
  EXPECT_EQ(object_of(c.get("/api/v1/orders", m.headers())).at("count"), 1);
}

}  // namespace
}  // namespace paygate::test
