// The Razorpay dialect (/v1) end to end: Basic authentication, Razorpay's
// entities, statuses and error envelope, its capture rules, notes, filters,
// idempotency, and the seed's money rules (refund limits under concurrency)
// holding on /v1 as on /api/v1.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <ctime>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/crypto.h"
#include "flows.h"
#include "harness.h"

namespace paygate::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

Headers basic(std::string_view key, std::string_view secret) {
  return {{"Authorization", "Basic " + base64_encode(std::string(key) + ":" + std::string(secret))},
          {"Content-Type", "application/json"}};
}

Headers rzp() {
  return basic(kDemoKey, kDemoSecret);
}

json::object body_of(const HttpResponse& r) {
  return r.json().as_object();
}

json::object error_of(const HttpResponse& r) {
  const auto v = r.json();
  EXPECT_TRUE(v.is_object() && v.as_object().contains("error")) << r.body;
  return v.as_object().at("error").as_object();
}

// Razorpay's envelope: code, description, source, step, reason, metadata.
void expect_envelope(const HttpResponse& r, int status, std::string_view code,
                     std::string_view field = {}) {
  EXPECT_EQ(r.status, status) << r.body;
  const auto e = error_of(r);
  EXPECT_EQ(str(e.at("code")), code) << r.body;
  for (const char* k : {"description", "source", "step", "reason", "metadata"}) {
    EXPECT_TRUE(e.contains(k)) << k << " missing: " << r.body;
  }
  if (!field.empty()) {
    ASSERT_TRUE(e.contains("field")) << r.body;
    EXPECT_EQ(str(e.at("field")), field) << r.body;
  }
}

json::object create_rzp_order(HttpClient& c, std::string_view body) {
  const auto r = c.post("/v1/orders", body, rzp());
  EXPECT_EQ(r.status, 200) << r.body;
  return body_of(r);
}

// A payment authorized but not captured (the merchant endpoint does not auto-capture).
std::string authorized_payment(HttpClient& c, json::object instrument = upi()) {
  const std::string id = start_payment(c, std::move(instrument), true);
  const auto p = wait_settled(c, id);
  EXPECT_EQ(p.at("status"), "SUCCESS") << json::serialize(p);
  return id;
}

json::object fetch_payment(HttpClient& c, std::string_view id) {
  const auto r = c.get("/v1/payments/" + std::string(id), rzp());
  EXPECT_EQ(r.status, 200) << r.body;
  return body_of(r);
}

void capture(HttpClient& c, std::string_view id) {
  const auto r = c.post("/v1/payments/" + std::string(id) + "/capture",
                        R"({"amount":50000,"currency":"INR"})", rzp());
  ASSERT_EQ(r.status, 200) << r.body;
}

TEST(RazorpayApi, AnOrderIsCreatedFetchedListedAndEditedInRazorpaysShape) {
  auto server = TestServer::start();
  auto c = server->client();
  const auto o = create_rzp_order(c, R"({"amount":50000,"currency":"INR","receipt":"rcpt_1",
                             "notes":{"purpose":"test"},"partial_payment":false})");
  const std::string id(o.at("id").as_string());
  EXPECT_TRUE(id.starts_with("order_")) << id;
  EXPECT_EQ(o.at("entity"), "order");
  EXPECT_EQ(o.at("amount"), 50000);
  EXPECT_EQ(o.at("amount_paid"), 0);
  EXPECT_EQ(o.at("amount_due"), 50000);
  EXPECT_EQ(o.at("currency"), "INR");
  EXPECT_EQ(o.at("receipt"), "rcpt_1");
  EXPECT_TRUE(o.at("offer_id").is_null());
  EXPECT_EQ(o.at("status"), "created");
  EXPECT_EQ(o.at("attempts"), 0);
  EXPECT_EQ(o.at("notes").at("purpose"), "test");
  // Unix seconds, not an ISO string.
  EXPECT_TRUE(o.at("created_at").is_int64());
  EXPECT_NEAR(static_cast<double>(o.at("created_at").as_int64()),
              static_cast<double>(std::time(nullptr)), 60.0);

  // No notes: Razorpay's empty array.
  const auto bare = create_rzp_order(c, R"({"amount":100})");
  EXPECT_TRUE(bare.at("notes").is_array()) << json::serialize(bare);
  EXPECT_EQ(bare.at("currency"), "INR");

  const auto fetched = c.get("/v1/orders/" + id, rzp());
  ASSERT_EQ(fetched.status, 200) << fetched.body;
  EXPECT_EQ(body_of(fetched), o);

  const auto by_receipt = c.get("/v1/orders?receipt=rcpt_1", rzp());
  ASSERT_EQ(by_receipt.status, 200) << by_receipt.body;
  const auto list = body_of(by_receipt);
  EXPECT_EQ(list.at("entity"), "collection");
  EXPECT_EQ(list.at("count"), 1);
  EXPECT_EQ(str(list.at("items").as_array().at(0).at("id")), id);
  const auto page = body_of(c.get("/v1/orders?count=1&skip=1", rzp()));
  ASSERT_EQ(page.at("count"), 1);
  EXPECT_EQ(str(page.at("items").as_array().at(0).at("id")), id);  // newest first: bare, then this

  const auto edited = c.request("PATCH", "/v1/orders/" + id, R"({"notes":{"k":"v"}})", rzp());
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(body_of(edited).at("notes"), (json::object{{"k", "v"}}));
  EXPECT_EQ(body_of(c.get("/v1/orders/" + id, rzp())).at("notes"), (json::object{{"k", "v"}}));
  expect_envelope(c.request("PATCH", "/v1/orders/" + id, R"({"amount":1})", rzp()), 400,
                  "BAD_REQUEST_ERROR", "amount");
}

TEST(RazorpayApi, AnOrderCountsItsAttemptsAndIsPaidByItsPayment) {
  auto server = TestServer::start();
  auto c = server->client();
  const auto o = create_rzp_order(c, R"({"amount":50000})");
  const std::string id(o.at("id").as_string());
  // A declined attempt, then a successful one.
  for (const auto& instrument : {upi("failure@upi"), upi()}) {
    json::object body = instrument;
    body["order_id"] = id;
    const auto r = c.post("/api/v1/payments", json::serialize(body), demo_auth());
    ASSERT_EQ(r.status, 201) << r.body;
    wait_settled(c, str(object_of(r).at("id")));
  }
  const auto paid = body_of(c.get("/v1/orders/" + id, rzp()));
  EXPECT_EQ(paid.at("attempts"), 2) << json::serialize(paid);
  EXPECT_EQ(paid.at("status"), "paid");
  EXPECT_EQ(paid.at("amount_paid"), 50000);
  EXPECT_EQ(paid.at("amount_due"), 0);

  const auto payments = body_of(c.get("/v1/orders/" + id + "/payments", rzp()));
  EXPECT_EQ(payments.at("entity"), "collection");
  ASSERT_EQ(payments.at("count"), 2) << json::serialize(payments);
  std::multiset<std::string> statuses;
  for (const auto& p : payments.at("items").as_array()) {
    statuses.insert(std::string(p.at("status").as_string()));
    EXPECT_EQ(str(p.at("order_id")), id);
  }
  EXPECT_EQ(statuses, (std::multiset<std::string>{"authorized", "failed"}));

  const auto authorized = body_of(c.get("/v1/orders?authorized=1", rzp()));
  ASSERT_EQ(authorized.at("count"), 1);
  EXPECT_EQ(str(authorized.at("items").as_array().at(0).at("id")), id);
  create_rzp_order(c, R"({"amount":100})");
  const auto unpaid = body_of(c.get("/v1/orders?authorized=0", rzp()));
  ASSERT_EQ(unpaid.at("count"), 1);
  EXPECT_NE(str(unpaid.at("items").as_array().at(0).at("id")), id);
  expect_envelope(c.get("/v1/orders?authorized=maybe", rzp()), 400, "BAD_REQUEST_ERROR",
                  "authorized");
}

TEST(RazorpayApi, ErrorsComeInRazorpaysEnvelopeWithItsStatuses) {
  auto server = TestServer::start();
  auto c = server->client();
  // No credentials, wrong secret, the seed's headers (not this dialect's).
  expect_envelope(c.get("/v1/orders"), 401, "BAD_REQUEST_ERROR");
  const auto wrong = c.get("/v1/orders", basic(kDemoKey, "wrong"));
  expect_envelope(wrong, 401, "BAD_REQUEST_ERROR");
  EXPECT_EQ(error_of(wrong).at("description"), "Authentication failed");
  expect_envelope(c.get("/v1/orders", demo_auth()), 401, "BAD_REQUEST_ERROR");
  // Bad input names its field.
  const auto bad = c.post("/v1/orders", R"({"amount":"ten"})", rzp());
  expect_envelope(bad, 400, "BAD_REQUEST_ERROR", "amount");
  EXPECT_EQ(error_of(bad).at("source"), "business");
  EXPECT_EQ(error_of(bad).at("reason"), "input_validation_failed");
  expect_envelope(c.post("/v1/orders", R"({"amount":50})", rzp()), 400, "BAD_REQUEST_ERROR",
                  "amount");
  expect_envelope(c.post("/v1/orders", R"({"amount":100,"partial_payment":true})", rzp()), 400,
                  "BAD_REQUEST_ERROR", "partial_payment");
  expect_envelope(c.post("/v1/orders", "{not json", rzp()), 400, "BAD_REQUEST_ERROR");
  // An unknown id is Razorpay's 400, an unknown URL a 404, another method a 405.
  for (const char* target : {"/v1/orders/order_nope", "/v1/payments/pay_nope",
                             "/v1/refunds/rfnd_nope", "/v1/orders/order_nope/payments"}) {
    const auto r = c.get(target, rzp());
    expect_envelope(r, 400, "BAD_REQUEST_ERROR");
    EXPECT_EQ(error_of(r).at("description"), "The id provided does not exist") << target;
  }
  expect_envelope(c.get("/v1/nothing_here", rzp()), 404, "BAD_REQUEST_ERROR");
  expect_envelope(c.request("DELETE", "/v1/orders", {}, rzp()), 405, "BAD_REQUEST_ERROR");
  // The seed API keeps its own envelope.
  const auto seed = c.get("/api/v1/orders/order_nope", demo_auth());
  EXPECT_EQ(seed.status, 404);
  EXPECT_EQ(seed.error_code(), "NOT_FOUND_ERROR");
}

TEST(RazorpayApi, APaymentIsAuthorizedThenCapturedOnlyForItsAmountAndCurrency) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string id = authorized_payment(c, card("4111111111111111"));
  auto p = fetch_payment(c, id);
  EXPECT_EQ(p.at("entity"), "payment");
  EXPECT_EQ(p.at("status"), "authorized");
  EXPECT_EQ(p.at("captured"), false);
  EXPECT_EQ(p.at("method"), "card");
  EXPECT_EQ(p.at("card").at("last4"), "1111");
  EXPECT_EQ(p.at("card").at("entity"), "card");
  EXPECT_TRUE(p.at("fee").is_null());
  EXPECT_TRUE(p.at("error_code").is_null());
  EXPECT_EQ(p.at("amount_refunded"), 0);
  EXPECT_TRUE(p.at("refund_status").is_null());

  const std::string target = "/v1/payments/" + id + "/capture";
  expect_envelope(c.post(target, R"({"amount":40000,"currency":"INR"})", rzp()), 400,
                  "BAD_REQUEST_ERROR", "amount");
  expect_envelope(c.post(target, R"({"amount":50000,"currency":"USD"})", rzp()), 400,
                  "BAD_REQUEST_ERROR", "currency");
  expect_envelope(c.post(target, R"({"currency":"INR"})", rzp()), 400, "BAD_REQUEST_ERROR",
                  "amount");
  EXPECT_EQ(fetch_payment(c, id).at("status"), "authorized");

  const auto captured = c.post(target, R"({"amount":50000,"currency":"INR"})", rzp());
  ASSERT_EQ(captured.status, 200) << captured.body;
  p = body_of(captured);
  EXPECT_EQ(p.at("status"), "captured");
  EXPECT_EQ(p.at("captured"), true);
  EXPECT_EQ(p.at("fee"), 0);
  EXPECT_EQ(p.at("tax"), 0);
  const auto again = c.post(target, R"({"amount":50000,"currency":"INR"})", rzp());
  expect_envelope(again, 400, "BAD_REQUEST_ERROR");
  EXPECT_EQ(error_of(again).at("description"), "This payment has already been captured");

  // The seed API sees the same payment, captured.
  EXPECT_EQ(get_payment(c, id).at("captured"), true);
}

TEST(RazorpayApi, AFailedPaymentShowsRazorpaysErrorFieldsAndCannotBeCaptured) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string id = start_payment(c, card("4000000000000002"), true);
  wait_settled(c, id);
  const auto p = fetch_payment(c, id);
  EXPECT_EQ(p.at("status"), "failed");
  EXPECT_EQ(p.at("error_code"), "BAD_REQUEST_ERROR");
  EXPECT_EQ(p.at("error_source"), "bank");
  EXPECT_EQ(p.at("error_step"), "payment_authorization");
  EXPECT_EQ(p.at("error_reason"), "card_declined");
  EXPECT_TRUE(p.at("error_description").is_string());
  expect_envelope(c.post("/v1/payments/" + id + "/capture", R"({"amount":50000})", rzp()), 400,
                  "BAD_REQUEST_ERROR");

  const std::string upi_id = start_payment(c, upi("failure@upi"), true);
  wait_settled(c, upi_id);
  const auto u = fetch_payment(c, upi_id);
  EXPECT_EQ(u.at("status"), "failed");
  EXPECT_EQ(u.at("method"), "upi");
  EXPECT_EQ(u.at("vpa"), "failure@upi");
  EXPECT_EQ(u.at("error_source"), "customer");
}

TEST(RazorpayApi, PaymentsAreListedAndTheirNotesEdited) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string first = authorized_payment(c);
  const std::string second = authorized_payment(c);
  const auto all = body_of(c.get("/v1/payments?count=10", rzp()));
  ASSERT_EQ(all.at("count"), 2);
  EXPECT_EQ(str(all.at("items").as_array().at(0).at("id")), second);
  EXPECT_EQ(str(all.at("items").as_array().at(1).at("id")), first);
  const auto skipped = body_of(c.get("/v1/payments?count=1&skip=1", rzp()));
  EXPECT_EQ(str(skipped.at("items").as_array().at(0).at("id")), first);
  expect_envelope(c.get("/v1/payments?count=101", rzp()), 400, "BAD_REQUEST_ERROR", "count");

  const auto version = get_payment(c, first).at("version").as_int64();
  const auto edited =
      c.request("PATCH", "/v1/payments/" + first, R"({"notes":{"order":"A-1"}})", rzp());
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(body_of(edited).at("notes"), (json::object{{"order", "A-1"}}));
  EXPECT_EQ(fetch_payment(c, first).at("notes"), (json::object{{"order", "A-1"}}));
  // A change like any other: the seed API's version moves on.
  EXPECT_EQ(get_payment(c, first).at("version").as_int64(), version + 1);
  expect_envelope(c.request("PATCH", "/v1/payments/" + first, R"({"notes":"x"})", rzp()), 400,
                  "BAD_REQUEST_ERROR", "notes");
}

TEST(RazorpayApi, RefundsAreMadeListedEditedAndSettled) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string id = authorized_payment(c);
  // Not captured yet: nothing to refund.
  expect_envelope(c.post("/v1/payments/" + id + "/refund", R"({"amount":100})", rzp()), 400,
                  "BAD_REQUEST_ERROR");
  capture(c, id);

  const auto partial = c.post("/v1/payments/" + id + "/refund",
                              R"({"amount":20000,"speed":"normal","notes":{"why":"size"}})", rzp());
  ASSERT_EQ(partial.status, 200) << partial.body;
  const auto r1 = body_of(partial);
  EXPECT_EQ(r1.at("entity"), "refund");
  EXPECT_EQ(r1.at("amount"), 20000);
  EXPECT_EQ(r1.at("currency"), "INR");
  EXPECT_EQ(str(r1.at("payment_id")), id);
  EXPECT_EQ(r1.at("status"), "pending");
  EXPECT_EQ(r1.at("notes").at("why"), "size");
  const std::string r1_id(r1.at("id").as_string());

  expect_envelope(
      c.post("/v1/refunds", json::serialize(json::object{{"payment_id", id}, {"amount", 30001}}),
             rzp()),
      400, "BAD_REQUEST_ERROR", "amount");
  expect_envelope(c.post("/v1/refunds", R"({"amount":100})", rzp()), 400, "BAD_REQUEST_ERROR",
                  "payment_id");
  expect_envelope(c.post("/v1/payments/" + id + "/refund", R"({"speed":"instant"})", rzp()), 400,
                  "BAD_REQUEST_ERROR", "speed");
  const auto rest = c.post("/v1/refunds", json::serialize(json::object{{"payment_id", id}}), rzp());
  ASSERT_EQ(rest.status, 200) << rest.body;
  EXPECT_EQ(body_of(rest).at("amount"), 30000);

  ASSERT_TRUE(eventually(
      [&] {
        const auto p = fetch_payment(c, id);
        return p.at("status") == "refunded";
      },
      15s))
      << json::serialize(fetch_payment(c, id));
  const auto p = fetch_payment(c, id);
  EXPECT_EQ(p.at("amount_refunded"), 50000);
  EXPECT_EQ(p.at("refund_status"), "full");
  EXPECT_TRUE(r1_id.starts_with("rfnd_")) << r1_id;
  const auto fetched = body_of(c.get("/v1/refunds/" + r1_id, rzp()));
  EXPECT_EQ(fetched.at("status"), "processed");
  // paygate's own id for it works too, on either API.
  const std::string paygate_id = "refund_" + r1_id.substr(5);
  EXPECT_EQ(str(body_of(c.get("/v1/refunds/" + paygate_id, rzp())).at("id")), r1_id);
  EXPECT_EQ(c.get("/api/v1/refunds/" + paygate_id, demo_auth()).status, 200);
  // One refund of one payment.
  const auto one = c.get("/v1/payments/" + id + "/refunds/" + r1_id, rzp());
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(body_of(one).at("amount"), 20000);
  const std::string other_payment = authorized_payment(c);
  expect_envelope(c.get("/v1/payments/" + other_payment + "/refunds/" + r1_id, rzp()), 400,
                  "BAD_REQUEST_ERROR");

  const auto of_payment = body_of(c.get("/v1/payments/" + id + "/refunds", rzp()));
  EXPECT_EQ(of_payment.at("count"), 2);
  const auto all = body_of(c.get("/v1/refunds?count=1", rzp()));
  EXPECT_EQ(all.at("count"), 1);
  EXPECT_EQ(all.at("entity"), "collection");

  const auto edited =
      c.request("PATCH", "/v1/refunds/" + r1_id, R"({"notes":{"ticket":"42"}})", rzp());
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(body_of(edited).at("notes"), (json::object{{"ticket", "42"}}));
  EXPECT_EQ(body_of(edited).at("status"), "processed");
}

TEST(RazorpayApi, ConcurrentRefundsOnV1NeverExceedThePayment) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string id = authorized_payment(c);
  capture(c, id);
  // Twelve refunds of 10000 race for a payment of 50000: exactly five fit.
  std::atomic<int> made{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 12; ++i) {
    threads.emplace_back([&, i] {
      auto client = server->client();
      const auto r =
          (i % 2 == 0)
              ? client.post("/v1/payments/" + id + "/refund", R"({"amount":10000})", rzp())
              : client.post("/v1/refunds",
                            json::serialize(json::object{{"payment_id", id}, {"amount", 10000}}),
                            rzp());
      if (r.status == 200) {
        ++made;
      } else if (r.status == 400) {
        ++refused;
      } else {
        ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(made.load(), 5);
  EXPECT_EQ(refused.load(), 7);
  EXPECT_EQ(other.load(), 0);
}

TEST(RazorpayApi, OfConcurrentCapturesExactlyOneCapturesAndTheOthersAreTold) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string id = authorized_payment(c);
  // Razorpay's rule (authorized and not yet captured) is checked in the
  // capture's own transaction: a check read before it would let several pass.
  std::atomic<int> captured{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto client = server->client();
      const auto r = client.post("/v1/payments/" + id + "/capture",
                                 R"({"amount":50000,"currency":"INR"})", rzp());
      if (r.status == 200) {
        ++captured;
      } else if (r.status == 400 && r.body.find("already been captured") != std::string::npos) {
        ++refused;
      } else {
        ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(captured.load(), 1);
  EXPECT_EQ(refused.load(), 7);
  EXPECT_EQ(other.load(), 0);
}

TEST(RazorpayApi, AnIdempotencyKeyReplaysTheFirstAnswerOnV1) {
  auto server = TestServer::start();
  auto c = server->client();
  Headers h = rzp();
  h.emplace_back("Idempotency-Key", "rzp-order-1");
  const auto first = c.post("/v1/orders", R"({"amount":50000,"receipt":"r"})", h);
  ASSERT_EQ(first.status, 200) << first.body;
  const auto again = c.post("/v1/orders", R"({"amount":50000,"receipt":"r"})", h);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.header("Idempotent-Replayed"), "true");
  EXPECT_EQ(body_of(c.get("/v1/orders", rzp())).at("count"), 1);
  // Another body under the same key: refused, in Razorpay's envelope.
  expect_envelope(c.post("/v1/orders", R"({"amount":60000})", h), 422, "BAD_REQUEST_ERROR",
                  "Idempotency-Key");
}

TEST(RazorpayApi, AMerchantSeesOnlyItsOwnObjects) {
  auto server = TestServer::start();
  auto c = server->client();
  const auto other = create_merchant(*server, "Other");
  const auto o = create_rzp_order(c, R"({"amount":50000})");
  const std::string id(o.at("id").as_string());
  const Headers theirs = basic(other.key, other.secret);
  expect_envelope(c.get("/v1/orders/" + id, theirs), 400, "BAD_REQUEST_ERROR");
  EXPECT_EQ(body_of(c.get("/v1/orders", theirs)).at("count"), 0);
  expect_envelope(c.request("PATCH", "/v1/orders/" + id, R"({"notes":{}})", theirs), 400,
                  "BAD_REQUEST_ERROR");
}

TEST(RazorpayApi, ABasicKeyHasItsOwnRateBudgetAndIsRefusedInRazorpaysEnvelope) {
  ServerOptions options;
  options.env = {{"PAYGATE_RATE_LIMIT", "1/min,burst=2"}};
  auto server = TestServer::start(options);
  auto c = server->client();
  const auto other = create_merchant(*server, "Other");
  for (int i = 0; i < 2; ++i) ASSERT_EQ(c.get("/v1/orders", rzp()).status, 200);
  const auto refused = c.get("/v1/orders", rzp());
  expect_envelope(refused, 429, "BAD_REQUEST_ERROR");
  EXPECT_FALSE(refused.header("Retry-After").empty());
  EXPECT_EQ(refused.header("X-RateLimit-Limit"), "2");
  // The budget is the key's (Basic's user), not the address's: another key goes on.
  EXPECT_EQ(c.get("/v1/orders", basic(other.key, other.secret)).status, 200);
}

}  // namespace
}  // namespace paygate::test
