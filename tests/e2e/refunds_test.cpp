// The Refunds endpoints and the job that settles refunds, end to end: full and
// partial refunds, what a payment shows of them, every validation error, the
// payment states that cannot be refunded, isolation between merchants, the
// list, concurrent refunds of one payment, failed refunds that release their
// amount, the simulated delay, and crash recovery of the refund queue.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <ctime>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "flows.h"
#include "harness.h"

namespace paygate::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::string_view kOrders = "/api/v1/orders";
constexpr std::string_view kPayments = "/api/v1/payments";
constexpr std::string_view kPublicPayments = "/api/v1/payments/public";
constexpr std::string_view kRefunds = "/api/v1/refunds";
constexpr std::string_view kJobsStatus = "/api/v1/test/jobs/status";
constexpr const char* kDemoMerchantId = "mrc_testmerchant0001";
constexpr std::int64_t kAmount = kOrderAmount;
// The test card whose payments succeed and whose refunds all fail.
constexpr const char* kRefundFailingCard = "4000000000000077";

// ---------------------------------------------------------------- helpers

bool matches(std::string_view s, const std::regex& re) {
  return std::regex_match(s.begin(), s.end(), re);
}

bool is_refund_id(std::string_view id) {
  static const std::regex re("^refund_[A-Za-z0-9]{16}$");
  return matches(id, re);
}

// Seconds since the epoch of an ISO 8601 UTC timestamp.
std::int64_t unix_seconds(std::string_view ts) {
  std::tm tm{};
  const std::string s(ts);
  if (::strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) {
    ADD_FAILURE() << "not a timestamp: " << ts;
    return 0;
  }
  return static_cast<std::int64_t>(::timegm(&tm));
}

std::int64_t int_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_int64()) {
    ADD_FAILURE() << key << " is not an integer in " << json::serialize(o);
    return -1;
  }
  return v->get_int64();
}

// Expects an error response with this status, code and (when given) field.
void expect_error(const HttpResponse& res, int status, std::string_view code,
                  std::string_view field = {}, std::string_view what = {}) {
  EXPECT_EQ(res.status, status) << what << ": " << res.body;
  EXPECT_EQ(res.error_code(), code) << what << ": " << res.body;
  EXPECT_EQ(res.header("Content-Type"), "application/json") << what;
  boost::system::error_code ec;
  const auto v = json::parse(res.body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("error")) return;
  const auto& error = v.as_object().at("error").as_object();
  ASSERT_TRUE(error.contains("description")) << what;
  EXPECT_FALSE(str(error.at("description")).empty()) << what;
  if (!field.empty()) {
    ASSERT_TRUE(error.contains("field")) << what << ": " << res.body;
    EXPECT_EQ(str(error.at("field")), field) << what << ": " << res.body;
  }
}

std::string error_description(const HttpResponse& res) {
  boost::system::error_code ec;
  const auto v = json::parse(res.body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("error")) return {};
  const auto& error = v.as_object().at("error");
  if (!error.is_object() || !error.as_object().contains("description")) return {};
  return str(error.as_object().at("description"));
}

// What a payment shows of its refunds: amount_refunded and refund_status.
void expect_refunded(const json::object& p, std::int64_t amount_refunded,
                     std::optional<std::string_view> refund_status, std::string_view what = {}) {
  ASSERT_TRUE(p.contains("amount_refunded")) << what << ": " << json::serialize(p);
  ASSERT_TRUE(p.contains("refund_status")) << what << ": " << json::serialize(p);
  EXPECT_EQ(int_of(p, "amount_refunded"), amount_refunded) << what << ": " << json::serialize(p);
  if (refund_status) {
    EXPECT_EQ(str(p.at("refund_status")), *refund_status) << what << ": " << json::serialize(p);
  } else {
    EXPECT_TRUE(p.at("refund_status").is_null()) << what << ": " << json::serialize(p);
  }
}

json::object refund_body(std::string_view payment_id,
                         std::optional<std::int64_t> amount = std::nullopt) {
  json::object body{{"payment_id", payment_id}};
  if (amount) body["amount"] = *amount;
  return body;
}

HttpResponse post_refund(HttpClient& c, const json::object& body,
                         const Headers& headers = demo_auth()) {
  return c.post(kRefunds, json::serialize(body), headers);
}

std::string refund_path(std::string_view id) {
  return std::string(kRefunds) + "/" + std::string(id);
}

// Checks that a refund object has exactly the refund's fields, with their
// types: the contract's, plus `version` (docs/API.md), which webhook events
// carry too.
void expect_refund_shape(const json::object& r) {
  const std::set<std::string> expected{"id",      "payment_id", "merchant_id", "amount",
                                       "status",  "reason",     "error_code",  "error_description",
                                       "version", "created_at", "updated_at"};
  std::set<std::string> keys;
  for (const auto& kv : r) keys.emplace(kv.key());
  EXPECT_EQ(keys, expected) << json::serialize(r);
  if (keys != expected) return;
  EXPECT_TRUE(is_refund_id(str(r.at("id")))) << r.at("id");
  EXPECT_TRUE(r.at("payment_id").is_string());
  EXPECT_TRUE(r.at("merchant_id").is_string());
  EXPECT_TRUE(r.at("amount").is_int64()) << r.at("amount");
  EXPECT_TRUE(r.at("version").is_int64() && r.at("version").as_int64() >= 1) << r.at("version");
  const std::string status = str(r.at("status"));
  EXPECT_TRUE(status == "PENDING" || status == "PROCESSED" || status == "FAILED") << status;
  EXPECT_TRUE(r.at("reason").is_null() || r.at("reason").is_string());
  EXPECT_TRUE(r.at("error_code").is_null() || r.at("error_code").is_string());
  EXPECT_TRUE(r.at("error_description").is_null() || r.at("error_description").is_string());
  EXPECT_TRUE(is_iso_micros(str(r.at("created_at")))) << r.at("created_at");
  EXPECT_TRUE(is_iso_micros(str(r.at("updated_at")))) << r.at("updated_at");
  // Only a FAILED refund has an error.
  EXPECT_EQ(status == "FAILED", !r.at("error_code").is_null()) << json::serialize(r);
}

// Creates a refund that must be accepted (201, PENDING); the refund object.
json::object refund_ok(HttpClient& c, const json::object& body,
                       const Headers& headers = demo_auth()) {
  const auto res = post_refund(c, body, headers);
  EXPECT_EQ(res.status, 201) << json::serialize(body) << " -> " << res.body;
  if (res.status != 201) return {};
  EXPECT_EQ(res.header("Content-Type"), "application/json");
  auto r = object_of(res);
  expect_refund_shape(r);
  EXPECT_EQ(r.at("status"), "PENDING") << res.body;
  EXPECT_EQ(r.at("payment_id"), body.at("payment_id")) << res.body;
  if (body.contains("amount")) {
    EXPECT_EQ(r.at("amount"), body.at("amount")) << res.body;
  }
  return r;
}

json::object get_refund(HttpClient& c, std::string_view id, const Headers& headers = demo_auth()) {
  const auto res = c.get(refund_path(id), headers);
  EXPECT_EQ(res.status, 200) << res.body;
  if (res.status != 200) return {};
  return object_of(res);
}

// Polls GET /refunds/{id} until the refund is no longer PENDING; the last object seen.
json::object wait_refund_final(HttpClient& c, std::string_view id,
                               const Headers& headers = demo_auth(),
                               std::chrono::milliseconds timeout = 10s) {
  json::object last;
  const bool done = eventually(
      [&] {
        last = get_refund(c, id, headers);
        return last.contains("status") && last.at("status") != "PENDING";
      },
      timeout);
  EXPECT_TRUE(done) << "refund " << id << " still pending: " << json::serialize(last);
  return last;
}

// GET /refunds?query: checks the collection shape; its items.
std::vector<json::object> list_refunds(HttpClient& c, const std::string& query = {},
                                       const Headers& headers = demo_auth()) {
  const auto res = c.get(std::string(kRefunds) + (query.empty() ? "" : "?" + query), headers);
  EXPECT_EQ(res.status, 200) << query << ": " << res.body;
  std::vector<json::object> items;
  if (res.status != 200) return items;
  EXPECT_EQ(res.header("Content-Type"), "application/json");
  const auto body = object_of(res);
  EXPECT_EQ(body.size(), 3u) << res.body;
  EXPECT_EQ(body.contains("entity") ? body.at("entity") : json::value(), "collection") << res.body;
  if (!body.contains("items") || !body.at("items").is_array()) {
    ADD_FAILURE() << "no items: " << res.body;
    return items;
  }
  for (const auto& item : body.at("items").as_array()) items.push_back(item.as_object());
  EXPECT_EQ(int_of(body, "count"), static_cast<std::int64_t>(items.size())) << res.body;
  return items;
}

std::vector<std::string> ids_of(const std::vector<json::object>& items) {
  std::vector<std::string> ids;
  for (const auto& item : items) ids.push_back(str(item.at("id")));
  return ids;
}

json::object jobs_status(HttpClient& c) {
  const auto res = c.get(kJobsStatus);
  EXPECT_EQ(res.status, 200) << res.body;
  return object_of(res);
}

ServerOptions with_env(std::map<std::string, std::string> env) {
  ServerOptions o;
  o.env = std::move(env);
  return o;
}

// ---------------------------------------------------------------- create

TEST(RefundsCreate, FullRefundWithoutAmountReachesProcessed) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string pay = captured_payment(c);
  ASSERT_FALSE(pay.empty());
  expect_refunded(get_payment(c, pay), 0, std::nullopt, "before any refund");

  const auto created = refund_ok(c, refund_body(pay));
  ASSERT_FALSE(created.empty());
  const std::string id = str(created.at("id"));
  EXPECT_EQ(int_of(created, "amount"), kAmount);  // no amount: all that is left
  EXPECT_EQ(created.at("merchant_id"), kDemoMerchantId);
  EXPECT_TRUE(created.at("reason").is_null());
  EXPECT_TRUE(created.at("error_code").is_null());
  EXPECT_TRUE(created.at("error_description").is_null());

  const auto done = wait_refund_final(c, id);
  expect_refund_shape(done);
  EXPECT_EQ(done.at("status"), "PROCESSED") << json::serialize(done);
  EXPECT_EQ(done.at("id"), created.at("id"));
  EXPECT_EQ(str(done.at("payment_id")), pay);
  EXPECT_EQ(done.at("merchant_id"), kDemoMerchantId);
  EXPECT_EQ(int_of(done, "amount"), kAmount);
  EXPECT_EQ(done.at("created_at"), created.at("created_at"));
  EXPECT_GE(str(done.at("updated_at")), str(done.at("created_at")));

  const auto p = get_payment(c, pay);
  expect_refunded(p, kAmount, "full");
  EXPECT_EQ(p.at("status"), "SUCCESS");  // a refund does not change the payment's status
  EXPECT_EQ(p.at("captured"), true);

  // Nothing is left: a second refund, with or without an amount, is refused.
  expect_error(post_refund(c, refund_body(pay)), 400, "BAD_REQUEST_ERROR", "amount", "no amount");
  expect_error(post_refund(c, refund_body(pay, 100)), 400, "BAD_REQUEST_ERROR", "amount", "100");
  EXPECT_EQ(list_refunds(c).size(), 1u);
}

TEST(RefundsCreate, PartialRefundsUpToTheTotal) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string pay = captured_payment(c);
  ASSERT_FALSE(pay.empty());

  std::int64_t refunded = 0;
  for (const std::int64_t amount : {10000, 15000}) {
    const auto r = refund_ok(c, refund_body(pay, amount));
    ASSERT_FALSE(r.empty());
    EXPECT_EQ(wait_refund_final(c, str(r.at("id"))).at("status"), "PROCESSED");
    refunded += amount;
    expect_refunded(get_payment(c, pay), refunded, "partial", std::to_string(refunded));
  }

  // More than what is left (25000) is refused, and the description says how much is left.
  for (const std::int64_t amount : {25001LL, 50000LL, 9223372036854775807LL}) {
    const auto res = post_refund(c, refund_body(pay, amount));
    expect_error(res, 400, "BAD_REQUEST_ERROR", "amount", std::to_string(amount));
    EXPECT_NE(error_description(res).find("25000"), std::string::npos) << res.body;
  }
  expect_refunded(get_payment(c, pay), 25000, "partial", "after refused refunds");

  const auto last = refund_ok(c, refund_body(pay, 25000));
  ASSERT_FALSE(last.empty());
  EXPECT_EQ(wait_refund_final(c, str(last.at("id"))).at("status"), "PROCESSED");
  expect_refunded(get_payment(c, pay), kAmount, "full", "after the last refund");

  // One more paise is too much.
  expect_error(post_refund(c, refund_body(pay, 1)), 400, "BAD_REQUEST_ERROR", "amount", "1");
  expect_refunded(get_payment(c, pay), kAmount, "full", "at the end");

  const auto all = list_refunds(c, "payment_id=" + pay);
  ASSERT_EQ(all.size(), 3u);
  std::int64_t sum = 0;
  for (const auto& r : all) {
    EXPECT_EQ(r.at("status"), "PROCESSED") << json::serialize(r);
    sum += int_of(r, "amount");
  }
  EXPECT_EQ(sum, kAmount);
}

TEST(RefundsCreate, ReasonIsStoredAndReturned) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string pay = captured_payment(c);
  ASSERT_FALSE(pay.empty());

  const auto with_reason = [&](json::value reason) {
    auto body = refund_body(pay, 100);
    body["reason"] = std::move(reason);
    return body;
  };
  // 255 characters, ASCII and (2 bytes each) not; what was sent comes back.
  std::string e_acute_255;
  for (int i = 0; i < 255; ++i) e_acute_255 += "\xC3\xA9";
  for (const std::string& reason :
       {std::string("Customer request"), std::string(255, 'x'), e_acute_255, std::string()}) {
    const auto created = refund_ok(c, with_reason(json::value(reason)));
    ASSERT_FALSE(created.empty()) << reason;
    EXPECT_TRUE(created.at("reason").is_string()) << json::serialize(created);
    EXPECT_EQ(str(created.at("reason")), reason);
    const auto id = str(created.at("id"));
    EXPECT_EQ(str(get_refund(c, id).at("reason")), reason);
    EXPECT_EQ(str(wait_refund_final(c, id).at("reason")), reason);
  }
  // Without a reason (or with null) it is null.
  const auto no_reason = refund_ok(c, with_reason(nullptr));
  ASSERT_FALSE(no_reason.empty());
  EXPECT_TRUE(no_reason.at("reason").is_null());
  EXPECT_TRUE(get_refund(c, str(no_reason.at("id"))).at("reason").is_null());
  // The list shows the reasons too.
  const auto listed = list_refunds(c, "payment_id=" + pay);
  ASSERT_EQ(listed.size(), 5u);
  EXPECT_EQ(listed[4].at("reason"), "Customer request");

  std::string e_acute_256 = e_acute_255 + "\xC3\xA9";
  for (const json::value& bad :
       {json::value(std::string(256, 'x')), json::value(e_acute_256), json::value(123),
        json::value(json::array{"a"}), json::value(json::object{{"a", "b"}}), json::value(true)}) {
    expect_error(post_refund(c, with_reason(bad)), 400, "BAD_REQUEST_ERROR", "reason",
                 json::serialize(bad).substr(0, 40));
  }
  EXPECT_EQ(list_refunds(c, "payment_id=" + pay).size(), 5u);  // nothing more was stored
}

// ---------------------------------------------------------------- validation

TEST(RefundsValidation, AmountMustBeAPositiveInteger) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string pay = captured_payment(c);
  ASSERT_FALSE(pay.empty());
  const std::vector<std::string> bad = {"0",
                                        "-1",
                                        "-50000",
                                        "100.5",
                                        "100.0",
                                        "1e3",
                                        R"("100")",
                                        R"("abc")",
                                        "true",
                                        "[100]",
                                        R"({"v":100})",
                                        "18446744073709551615",
                                        "-9223372036854775808"};
  for (const auto& amount : bad) {
    const std::string body = R"({"payment_id":")" + pay + R"(","amount":)" + amount + "}";
    expect_error(c.post(kRefunds, body, demo_auth()), 400, "BAD_REQUEST_ERROR", "amount", amount);
  }
  EXPECT_TRUE(list_refunds(c).empty());
  expect_refunded(get_payment(c, pay), 0, std::nullopt);
  // The payment is still refundable in full.
  const auto r = refund_ok(c, refund_body(pay, kAmount));
  EXPECT_FALSE(r.empty());
}

TEST(RefundsValidation, PaymentIdAndBody) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string pay = captured_payment(c);
  ASSERT_FALSE(pay.empty());
  const auto a = demo_auth();

  expect_error(c.post(kRefunds, R"({"amount":100})", a), 400, "BAD_REQUEST_ERROR", "payment_id",
               "missing");
  expect_error(c.post(kRefunds, R"({})", a), 400, "BAD_REQUEST_ERROR", "payment_id", "empty body");
  expect_error(c.post(kRefunds, R"({"payment_id":""})", a), 400, "BAD_REQUEST_ERROR", "payment_id",
               "empty string");
  expect_error(c.post(kRefunds, R"({"payment_id":null})", a), 400, "BAD_REQUEST_ERROR",
               "payment_id", "null");
  expect_error(c.post(kRefunds, R"({"payment_id":123})", a), 400, "BAD_REQUEST_ERROR", "payment_id",
               "number");
  expect_error(c.post(kRefunds, "{not json", a), 400, "BAD_REQUEST_ERROR", {}, "malformed");
  expect_error(c.post(kRefunds, R"(["x"])", a), 400, "BAD_REQUEST_ERROR", {}, "array");

  // An unknown payment is a 404, also when it looks like a real id.
  for (const std::string unknown : {"pay_0000000000000000", "pay_x", "order_abc"}) {
    expect_error(post_refund(c, refund_body(unknown)), 404, "NOT_FOUND_ERROR", {}, unknown);
    expect_error(post_refund(c, refund_body(unknown, 100)), 404, "NOT_FOUND_ERROR", {}, unknown);
  }
  // Credentials are required.
  expect_error(post_refund(c, refund_body(pay), {}), 401, "AUTHENTICATION_ERROR", {}, "no auth");
  expect_error(post_refund(c, refund_body(pay), auth("key_test_abc123", "wrong")), 401,
               "AUTHENTICATION_ERROR", {}, "wrong secret");
  expect_error(c.get(kRefunds), 401, "AUTHENTICATION_ERROR", {}, "list without auth");

  // GET of an unknown refund is a 404.
  expect_error(c.get(refund_path("refund_0000000000000000"), a), 404, "NOT_FOUND_ERROR", {},
               "unknown refund");
  EXPECT_TRUE(list_refunds(c).empty());

  // Unknown fields are ignored.
  auto body = refund_body(pay, 100);
  body["notes"] = json::object{{"a", "b"}};
  body["currency"] = "INR";
  EXPECT_FALSE(refund_ok(c, body).empty());
}

// ---------------------------------------------------------------- payment state

TEST(RefundsState, UnsettledPaymentIsRefusedUntilItSucceeds) {
  auto server = TestServer::start(with_env({{"PAYGATE_PROCESSING_DELAY_MS", "3000"}}));
  auto c = server->client();
  const std::string pay = start_payment(c, upi());
  ASSERT_FALSE(pay.empty());
  const auto before = get_payment(c, pay);
  ASSERT_FALSE(is_settled(before)) << json::serialize(before);
  expect_error(post_refund(c, refund_body(pay)), 400, "BAD_REQUEST_ERROR", "payment_id",
               "no amount");
  expect_error(post_refund(c, refund_body(pay, 100)), 400, "BAD_REQUEST_ERROR", "payment_id",
               "100");
  // Still unsettled when the refunds were refused (else this proved nothing).
  const auto after = get_payment(c, pay);
  EXPECT_FALSE(is_settled(after)) << json::serialize(after);
  EXPECT_TRUE(list_refunds(c).empty());

  const auto settled = wait_settled(c, pay, demo_auth(), 10s);
  ASSERT_EQ(settled.at("status"), "SUCCESS");
  ASSERT_EQ(settled.at("captured"), true);
  expect_refunded(settled, 0, std::nullopt);
  EXPECT_FALSE(refund_ok(c, refund_body(pay, 100)).empty());
}

TEST(RefundsState, FailedPaymentIsRefused) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string pay = start_payment(c, upi("failure@upi"));
  ASSERT_FALSE(pay.empty());
  const auto p = wait_settled(c, pay);
  ASSERT_EQ(p.at("status"), "FAILED") << json::serialize(p);
  expect_refunded(p, 0, std::nullopt);
  expect_error(post_refund(c, refund_body(pay)), 400, "BAD_REQUEST_ERROR", "payment_id",
               "no amount");
  expect_error(post_refund(c, refund_body(pay, 100)), 400, "BAD_REQUEST_ERROR", "payment_id",
               "100");
  EXPECT_TRUE(list_refunds(c).empty());
}

TEST(RefundsState, UncapturedPaymentIsRefusedUntilCaptured) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string pay = start_payment(c, upi(), /*merchant_endpoint=*/true);
  ASSERT_FALSE(pay.empty());
  const auto p = wait_settled(c, pay);
  ASSERT_EQ(p.at("status"), "SUCCESS") << json::serialize(p);
  ASSERT_EQ(p.at("captured"), false) << json::serialize(p);
  expect_error(post_refund(c, refund_body(pay)), 400, "BAD_REQUEST_ERROR", "payment_id",
               "no amount");
  expect_error(post_refund(c, refund_body(pay, 100)), 400, "BAD_REQUEST_ERROR", "payment_id",
               "100");
  EXPECT_TRUE(list_refunds(c).empty());

  const auto captured = c.post(payment_path(pay) + "/capture", "{}", demo_auth());
  ASSERT_EQ(captured.status, 200) << captured.body;
  ASSERT_EQ(object_of(captured).at("captured"), true) << captured.body;

  const auto r = refund_ok(c, refund_body(pay));
  ASSERT_FALSE(r.empty());
  EXPECT_EQ(int_of(r, "amount"), kAmount);
  EXPECT_EQ(wait_refund_final(c, str(r.at("id"))).at("status"), "PROCESSED");
  expect_refunded(get_payment(c, pay), kAmount, "full");
}

// ---------------------------------------------------------------- isolation

TEST(RefundsIsolation, AnotherMerchantsPaymentsAndRefundsAre404) {
  auto server = TestServer::start();
  const auto b = create_merchant(*server);
  ASSERT_FALSE(b.key.empty());
  ASSERT_NE(b.id, kDemoMerchantId);
  auto c = server->client();
  const std::string pay_a = captured_payment(c);
  const std::string pay_b = captured_payment(c, b.headers());
  ASSERT_FALSE(pay_a.empty());
  ASSERT_FALSE(pay_b.empty());

  // Each merchant refunds its own payment.
  const auto refund_a = refund_ok(c, refund_body(pay_a, 1000));
  const auto refund_b = refund_ok(c, refund_body(pay_b, 2000), b.headers());
  ASSERT_FALSE(refund_a.empty());
  ASSERT_FALSE(refund_b.empty());
  EXPECT_EQ(refund_a.at("merchant_id"), kDemoMerchantId);
  EXPECT_EQ(str(refund_b.at("merchant_id")), b.id);
  const std::string id_a = str(refund_a.at("id"));
  const std::string id_b = str(refund_b.at("id"));

  // Another merchant's payment is a 404, with or without an amount.
  expect_error(post_refund(c, refund_body(pay_a), b.headers()), 404, "NOT_FOUND_ERROR", {},
               "A's payment by B, no amount");
  expect_error(post_refund(c, refund_body(pay_a, 100), b.headers()), 404, "NOT_FOUND_ERROR", {},
               "A's payment by B");
  expect_error(post_refund(c, refund_body(pay_b, 100)), 404, "NOT_FOUND_ERROR", {},
               "B's payment by A");
  // Another merchant's refund is a 404.
  expect_error(c.get(refund_path(id_a), b.headers()), 404, "NOT_FOUND_ERROR", {}, "A's refund");
  expect_error(c.get(refund_path(id_b), demo_auth()), 404, "NOT_FOUND_ERROR", {}, "B's refund");
  EXPECT_EQ(wait_refund_final(c, id_a).at("status"), "PROCESSED");
  EXPECT_EQ(wait_refund_final(c, id_b, b.headers()).at("status"), "PROCESSED");

  // Lists do not mix merchants, even when filtered by the other's payment.
  EXPECT_EQ(ids_of(list_refunds(c)), std::vector<std::string>{id_a});
  EXPECT_EQ(ids_of(list_refunds(c, {}, b.headers())), std::vector<std::string>{id_b});
  EXPECT_TRUE(list_refunds(c, "payment_id=" + pay_b).empty());
  EXPECT_TRUE(list_refunds(c, "payment_id=" + pay_a, b.headers()).empty());

  // The refused attempts did not touch the payments.
  expect_refunded(get_payment(c, pay_a), 1000, "partial", "A");
  expect_refunded(get_payment(c, pay_b, b.headers()), 2000, "partial", "B");
}

// ---------------------------------------------------------------- list

TEST(RefundsList, NewestFirstWithPagingAndPaymentFilter) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string p1 = captured_payment(c);
  const std::string p2 = captured_payment(c);
  ASSERT_FALSE(p1.empty());
  ASSERT_FALSE(p2.empty());

  EXPECT_TRUE(list_refunds(c).empty());  // an empty collection first

  // Five refunds, alternating between the payments, in this order.
  std::vector<std::string> created;
  std::map<std::string, std::string> payment_of;
  for (int i = 0; i < 5; ++i) {
    const std::string& pay = i % 2 == 0 ? p1 : p2;
    const auto r = refund_ok(c, refund_body(pay, 1000 * (i + 1)));
    ASSERT_FALSE(r.empty());
    created.push_back(str(r.at("id")));
    payment_of[created.back()] = pay;
  }
  const std::vector<std::string> newest_first(created.rbegin(), created.rend());

  const auto all = list_refunds(c);
  EXPECT_EQ(ids_of(all), newest_first);
  for (const auto& r : all) {
    expect_refund_shape(r);
    EXPECT_EQ(str(r.at("payment_id")), payment_of[str(r.at("id"))]);
  }
  const auto sub = [&](std::size_t from, std::size_t n) {
    return std::vector<std::string>(newest_first.begin() + static_cast<std::ptrdiff_t>(from),
                                    newest_first.begin() + static_cast<std::ptrdiff_t>(from + n));
  };
  EXPECT_EQ(ids_of(list_refunds(c, "count=2")), sub(0, 2));
  EXPECT_EQ(ids_of(list_refunds(c, "count=2&skip=2")), sub(2, 2));
  EXPECT_EQ(ids_of(list_refunds(c, "count=2&skip=4")), sub(4, 1));
  EXPECT_EQ(ids_of(list_refunds(c, "skip=3")), sub(3, 2));
  EXPECT_TRUE(list_refunds(c, "skip=5").empty());
  EXPECT_TRUE(list_refunds(c, "skip=50").empty());

  // Filtered by payment: only its refunds, newest first, with paging.
  const std::vector<std::string> of_p1{created[4], created[2], created[0]};
  const std::vector<std::string> of_p2{created[3], created[1]};
  EXPECT_EQ(ids_of(list_refunds(c, "payment_id=" + p1)), of_p1);
  EXPECT_EQ(ids_of(list_refunds(c, "payment_id=" + p2)), of_p2);
  EXPECT_EQ(ids_of(list_refunds(c, "count=1&skip=1&payment_id=" + p1)),
            std::vector<std::string>{created[2]});
  EXPECT_EQ(ids_of(list_refunds(c, "payment_id=" + p2 + "&count=1")),
            std::vector<std::string>{created[3]});
  EXPECT_TRUE(list_refunds(c, "payment_id=pay_0000000000000000").empty());
  EXPECT_EQ(ids_of(list_refunds(c, "payment_id=")), newest_first);  // empty: no filter

  // from / to in unix seconds, like orders.
  const auto created_at = unix_seconds(str(all.back().at("created_at")));
  const auto newest_at = unix_seconds(str(all.front().at("created_at")));
  const auto s = [](std::int64_t v) { return std::to_string(v); };
  EXPECT_EQ(ids_of(list_refunds(c, "from=" + s(created_at) + "&to=" + s(newest_at))), newest_first);
  EXPECT_TRUE(list_refunds(c, "from=" + s(newest_at + 1)).empty());
  EXPECT_TRUE(list_refunds(c, "to=" + s(created_at - 1)).empty());

  // Bad paging parameters, as for orders.
  for (const auto& [query, field] :
       std::vector<std::pair<std::string, std::string>>{{"count=0", "count"},
                                                        {"count=101", "count"},
                                                        {"count=x", "count"},
                                                        {"skip=-1", "skip"},
                                                        {"from=abc", "from"},
                                                        {"to=-5", "to"}}) {
    expect_error(c.get(std::string(kRefunds) + "?" + query, demo_auth()), 400, "BAD_REQUEST_ERROR",
                 field, query);
  }
}

TEST(RefundsList, DefaultPageIsTenAndCountGoesToOneHundred) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string pay = captured_payment(c);
  ASSERT_FALSE(pay.empty());
  std::vector<std::string> created;
  for (int i = 0; i < 12; ++i) {
    const auto r = refund_ok(c, refund_body(pay, 100));
    ASSERT_FALSE(r.empty());
    created.push_back(str(r.at("id")));
  }
  const std::vector<std::string> newest_first(created.rbegin(), created.rend());
  EXPECT_EQ(ids_of(list_refunds(c)),
            std::vector<std::string>(newest_first.begin(), newest_first.begin() + 10));
  EXPECT_EQ(ids_of(list_refunds(c, "count=100")), newest_first);
}

// ---------------------------------------------------------------- concurrency

// 32 requests at once, each for 60% of the payment: exactly one can fit.
TEST(RefundsConcurrency, OnlyOneOfThirtyTwoConcurrentLargeRefundsIsAccepted) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string pay = captured_payment(c);
  ASSERT_FALSE(pay.empty());

  // Two rounds: 32 x 30000 when 50000 is left (one fits), then 32 x 10000 when
  // 20000 is left (two fit).
  struct Round {
    std::int64_t amount;
    int accepted;
  };
  for (const Round round : {Round{30000, 1}, Round{10000, 2}}) {
    constexpr int kThreads = 32;
    std::vector<HttpResponse> responses(kThreads);
    concurrently(*server, kThreads, [&](HttpClient& client, int t) {
      responses[static_cast<std::size_t>(t)] = post_refund(client, refund_body(pay, round.amount));
    });

    int created = 0;
    for (const auto& res : responses) {
      if (res.status == 201) {
        ++created;
        const auto r = object_of(res);
        EXPECT_EQ(int_of(r, "amount"), round.amount);
        EXPECT_EQ(r.at("status"), "PENDING");
      } else {
        expect_error(res, 400, "BAD_REQUEST_ERROR", "amount", std::to_string(round.amount));
      }
    }
    EXPECT_EQ(created, round.accepted) << "amount " << round.amount;
  }

  json::object p;
  EXPECT_TRUE(eventually(
      [&] {
        p = get_payment(c, pay);
        return p.contains("amount_refunded") && p.at("amount_refunded") == kAmount;
      },
      10s))
      << json::serialize(p);
  expect_refunded(p, kAmount, "full");

  const auto refunds = list_refunds(c, "count=100&payment_id=" + pay);
  EXPECT_EQ(refunds.size(), 3u);
  std::int64_t not_failed = 0;
  for (const auto& r : refunds) {
    if (r.at("status") != "FAILED") not_failed += int_of(r, "amount");
  }
  EXPECT_LE(not_failed, kAmount);
  EXPECT_EQ(not_failed, kAmount);
}

// ---------------------------------------------------------------- failed refunds

TEST(RefundsFailure, FailedRefundReleasesItsAmount) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string pay = captured_payment(c, demo_auth(), card(kRefundFailingCard));
  ASSERT_FALSE(pay.empty());

  for (int attempt = 0; attempt < 2; ++attempt) {
    const auto r = refund_ok(c, refund_body(pay));  // the whole amount, every time
    ASSERT_FALSE(r.empty()) << attempt;
    EXPECT_EQ(int_of(r, "amount"), kAmount) << attempt;
    const auto done = wait_refund_final(c, str(r.at("id")));
    expect_refund_shape(done);
    EXPECT_EQ(done.at("status"), "FAILED") << json::serialize(done);
    EXPECT_EQ(done.at("error_code"), "REFUND_FAILED") << json::serialize(done);
    EXPECT_FALSE(str(done.at("error_description")).empty()) << json::serialize(done);
    expect_refunded(get_payment(c, pay), 0, std::nullopt, std::to_string(attempt));
  }
  // A partial one is accepted as well, then fails too.
  const auto partial = refund_ok(c, refund_body(pay, 20000));
  ASSERT_FALSE(partial.empty());
  EXPECT_EQ(wait_refund_final(c, str(partial.at("id"))).at("error_code"), "REFUND_FAILED");
  const auto all = list_refunds(c, "payment_id=" + pay);
  ASSERT_EQ(all.size(), 3u);
  for (const auto& r : all) EXPECT_EQ(r.at("status"), "FAILED") << json::serialize(r);
  expect_refunded(get_payment(c, pay), 0, std::nullopt, "at the end");
}

// ---------------------------------------------------------------- jobs

TEST(RefundsJobs, PendingUntilTheProcessingDelayHasPassed) {
  auto server = TestServer::start(with_env({{"PAYGATE_PROCESSING_DELAY_MS", "500"}}));
  auto c = server->client();
  const std::string pay = captured_payment(c);
  ASSERT_FALSE(pay.empty());

  const auto start = std::chrono::steady_clock::now();
  const auto first = refund_ok(c, refund_body(pay, 30000));
  ASSERT_FALSE(first.empty());
  const std::string id = str(first.at("id"));
  const auto fetched = get_refund(c, id);
  const auto payment_meanwhile = get_payment(c, pay);
  const auto second_try = post_refund(c, refund_body(pay, 30000));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  if (elapsed < 450ms) {
    EXPECT_EQ(fetched.at("status"), "PENDING") << json::serialize(fetched);
    // A PENDING refund counts against what is left, not (yet) in amount_refunded.
    expect_refunded(payment_meanwhile, 0, std::nullopt, "while pending");
    expect_error(second_try, 400, "BAD_REQUEST_ERROR", "amount", "while pending");
    EXPECT_NE(error_description(second_try).find("20000"), std::string::npos) << second_try.body;
  } else {
    ADD_FAILURE() << "the checks while pending took "
                  << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()
                  << " ms, longer than the delay";
  }

  const auto done = wait_refund_final(c, id);
  const auto settled = std::chrono::steady_clock::now();
  EXPECT_EQ(done.at("status"), "PROCESSED") << json::serialize(done);
  EXPECT_GE(settled - start, 450ms);
  EXPECT_GE(str(done.at("updated_at")), str(done.at("created_at")));
  expect_refunded(get_payment(c, pay), 30000, "partial", "after processing");

  const auto rest = refund_ok(c, refund_body(pay));
  ASSERT_FALSE(rest.empty());
  EXPECT_EQ(int_of(rest, "amount"), 20000);
  EXPECT_EQ(wait_refund_final(c, str(rest.at("id"))).at("status"), "PROCESSED");
  expect_refunded(get_payment(c, pay), kAmount, "full", "at the end");
}

TEST(RefundsJobs, RestartUnderLoadFinishesEveryRefund) {
  auto server = TestServer::start(
      with_env({{"PAYGATE_PROCESSING_DELAY_MS", "300"}, {"PAYGATE_JOB_LEASE_MS", "1000"}}));
  constexpr std::size_t kPaymentCount = 40;
  constexpr int kThreads = 4;

  // Captured payments first, settled before any refund.
  std::vector<std::string> payments(kPaymentCount);
  {
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        auto client = server->client();
        for (std::size_t i = next++; i < kPaymentCount; i = next++) {
          payments[i] = start_payment(client, upi());
        }
      });
    }
    for (auto& t : threads) t.join();
  }
  {
    auto c = server->client();
    for (const auto& pay : payments) {
      ASSERT_FALSE(pay.empty());
      const auto p = wait_settled(c, pay, demo_auth(), 15s);
      ASSERT_EQ(p.at("status"), "SUCCESS") << json::serialize(p);
      ASSERT_EQ(p.at("captured"), true) << json::serialize(p);
    }
  }

  // Refunds as fast as possible: a full one of the even payments, two partial
  // ones (20000 + 10000) of the odd ones.
  struct Planned {
    std::size_t payment;
    std::optional<std::int64_t> amount;
  };
  std::vector<Planned> plan;
  for (std::size_t i = 0; i < kPaymentCount; ++i) {
    if (i % 2 == 0) {
      plan.push_back({i, std::nullopt});
    } else {
      plan.push_back({i, 20000});
      plan.push_back({i, 10000});
    }
  }
  std::vector<std::string> refund_ids(plan.size());
  {
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        auto client = server->client();
        for (std::size_t i = next++; i < plan.size(); i = next++) {
          const auto r = refund_ok(client, refund_body(payments[plan[i].payment], plan[i].amount));
          if (r.contains("id")) refund_ids[i] = str(r.at("id"));
        }
      });
    }
    for (auto& t : threads) t.join();
  }
  // How many are still PENDING when the server dies (killing an idle server
  // proves nothing).
  std::size_t pending_at_kill = 0;
  {
    auto c = server->client();
    for (const auto& r : list_refunds(c, "count=100")) {
      if (r.at("status") == "PENDING") ++pending_at_kill;
    }
  }
  server->restart();
  RecordProperty("pending_at_kill", static_cast<int>(pending_at_kill));
  EXPECT_GT(pending_at_kill, 0u);
  for (const auto& id : refund_ids) ASSERT_FALSE(id.empty());

  // Every refund reaches PROCESSED.
  auto c = server->client();
  std::set<std::string> unfinished(refund_ids.begin(), refund_ids.end());
  eventually(
      [&] {
        for (auto it = unfinished.begin(); it != unfinished.end();) {
          const auto res = c.get(refund_path(*it), demo_auth());
          if (res.status == 200 && object_of(res).at("status") != "PENDING") {
            it = unfinished.erase(it);
          } else {
            ++it;
          }
        }
        return unfinished.empty();
      },
      20s);
  ASSERT_TRUE(unfinished.empty()) << unfinished.size() << " refunds still PENDING, e.g. "
                                  << *unfinished.begin();

  // Each payment: its planned refunds, all PROCESSED, exactly what amount_refunded says.
  for (std::size_t i = 0; i < kPaymentCount; ++i) {
    const auto refunds = list_refunds(c, "count=100&payment_id=" + payments[i]);
    EXPECT_EQ(refunds.size(), i % 2 == 0 ? 1u : 2u) << payments[i];
    std::int64_t processed = 0;
    for (const auto& r : refunds) {
      EXPECT_EQ(r.at("status"), "PROCESSED") << json::serialize(r);
      if (r.at("status") == "PROCESSED") processed += int_of(r, "amount");
    }
    EXPECT_LE(processed, kAmount) << payments[i];
    const std::int64_t expected = i % 2 == 0 ? kAmount : 30000;
    EXPECT_EQ(processed, expected) << payments[i];
    const auto p = get_payment(c, payments[i]);
    expect_refunded(p, processed, i % 2 == 0 ? "full" : "partial", payments[i]);
  }

  json::object status;
  EXPECT_TRUE(eventually(
      [&] {
        status = jobs_status(c);
        return int_of(status, "pending") == 0 && int_of(status, "processing") == 0;
      },
      10s))
      << json::serialize(status);
  EXPECT_EQ(int_of(status, "failed"), 0) << json::serialize(status);
}

}  // namespace
}  // namespace paygate::test
