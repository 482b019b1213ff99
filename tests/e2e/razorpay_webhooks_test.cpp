// Webhooks in Razorpay's shape, end to end through the real binary and a
// real receiver: an endpoint registered with format "razorpay" gets each of
// Razorpay's seven events, in Razorpay's body, signed in X-Razorpay-Signature
// (verified here from the raw body); a paygate-format endpoint beside it
// still gets exactly the events it always did; the format is validated,
// shown and changed; a failed Razorpay delivery is retried (on the schedule
// and by hand) with the bytes it was first rendered with.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <boost/json.hpp>
#include <chrono>
#include <ctime>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "flows.h"
#include "harness.h"
#include "receiver.h"

namespace paygate::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::string_view kWebhooks = "/api/v1/webhooks";
constexpr std::string_view kLogs = "/api/v1/webhook-logs";
constexpr std::string_view kAccountId = "acc_testmerchant0001";  // the demo merchant's
// Payments with this card succeed; their refunds fail.
constexpr std::string_view kRefundFailingCard = "4000000000000077";
const std::vector<std::string> kRazorpayEvents{
    "payment.authorized", "payment.captured", "payment.failed", "order.paid",
    "refund.created",     "refund.processed", "refund.failed"};

std::unique_ptr<TestServer> start_server() {
  return TestServer::start(
      ServerOptions{.test_mode = true,
                    .args = {},
                    .env = {{"PAYGATE_PROCESSING_DELAY_MS", "0"},
                            {"PAYGATE_WEBHOOK_RETRY_SCHEDULE", "0.3,0.3,0.3,0.3"}}});
}

// ---------------------------------------------------------------- helpers

std::string str(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr ? paygate::test::str(*v) : "";
}

std::vector<std::string> strings(const json::value& v) {
  std::vector<std::string> out;
  if (!v.is_array()) return out;
  for (const auto& e : v.as_array()) out.push_back(paygate::test::str(e));
  return out;
}

std::vector<std::string> keys(const json::object& o) {
  std::vector<std::string> out;
  for (const auto& kv : o) out.emplace_back(kv.key());
  return out;
}

bool matches(std::string_view s, const char* pattern) {
  return std::regex_match(s.begin(), s.end(), std::regex(pattern));
}

std::string hex_hmac(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    hex.push_back(kDigits[out[i] >> 4]);
    hex.push_back(kDigits[out[i] & 15]);
  }
  return hex;
}

struct Endpoint {
  std::string id;
  std::string secret;
  json::object json;
};

HttpResponse post_webhook(HttpClient& c, const json::object& body) {
  return c.post(kWebhooks, json::serialize(body), demo_auth());
}

Endpoint register_webhook(HttpClient& c, const std::string& url, std::string_view format,
                          std::optional<std::vector<std::string>> events = std::nullopt) {
  json::object body{{"url", url}};
  if (!format.empty()) body["format"] = format;
  if (events) {
    json::array a;
    for (const auto& e : *events) a.emplace_back(e);
    body["events"] = std::move(a);
  }
  const auto res = post_webhook(c, body);
  EXPECT_EQ(res.status, 201) << res.body;
  if (res.status != 201) return {};
  auto o = object_of(res);
  return {str(o, "id"), str(o, "secret"), o};
}

HttpResponse patch_webhook(HttpClient& c, std::string_view id, const json::object& body) {
  return c.request("PATCH", std::string(kWebhooks) + "/" + std::string(id), json::serialize(body),
                   demo_auth());
}

void expect_bad_field(const HttpResponse& res, std::string_view field, std::string_view what) {
  EXPECT_EQ(res.status, 400) << what << ": " << res.body;
  EXPECT_EQ(res.error_code(), "BAD_REQUEST_ERROR") << what << ": " << res.body;
  const auto v = res.json();
  if (!v.is_object() || !v.as_object().contains("error")) return;
  EXPECT_EQ(str(v.as_object().at("error").as_object(), "field"), field) << what << ": " << res.body;
}

json::array logs_of(HttpClient& c, std::string_view webhook_id) {
  const auto res =
      c.get(std::string(kLogs) + "?count=100&webhook_id=" + std::string(webhook_id), demo_auth());
  EXPECT_EQ(res.status, 200) << res.body;
  const auto v = res.json();
  return v.is_array() ? v.as_array() : json::array{};
}

// The endpoint's log entries once there are n and none is pending.
json::array settled_logs(HttpClient& c, std::string_view webhook_id, std::size_t n) {
  json::array last;
  const bool done = eventually([&] {
    last = logs_of(c, webhook_id);
    if (last.size() != n) return false;
    for (const auto& e : last) {
      if (str(e.as_object(), "status") == "pending") return false;
    }
    return true;
  });
  EXPECT_TRUE(done) << "expected " << n << " settled entries: " << json::serialize(last);
  return last;
}

json::object get_log(HttpClient& c, std::string_view id) {
  const auto res = c.get(std::string(kLogs) + "/" + std::string(id), demo_auth());
  EXPECT_EQ(res.status, 200) << res.body;
  return res.status == 200 ? object_of(res) : json::object{};
}

json::object wait_log_status(HttpClient& c, std::string_view id, std::string_view status) {
  json::object last;
  const bool done = eventually([&] {
    last = get_log(c, id);
    return str(last, "status") == status;
  });
  EXPECT_TRUE(done) << "log " << id << " not " << status << ": " << json::serialize(last);
  return last;
}

json::object capture(HttpClient& c, std::string_view payment_id) {
  const auto res = c.post(payment_path(payment_id) + "/capture", "{}", demo_auth());
  EXPECT_EQ(res.status, 200) << res.body;
  return res.status == 200 ? object_of(res) : json::object{};
}

// A full refund of the payment, settled with this status; its id.
std::string settled_refund(HttpClient& c, std::string_view payment_id, std::string_view status) {
  const auto res = c.post("/api/v1/refunds",
                          json::serialize(json::object{{"payment_id", payment_id}}), demo_auth());
  EXPECT_EQ(res.status, 201) << res.body;
  if (res.status != 201) return {};
  const std::string id = str(object_of(res), "id");
  json::object last;
  EXPECT_TRUE(eventually([&] {
    last = object_of(c.get("/api/v1/refunds/" + id, demo_auth()));
    return str(last, "status") == status;
  })) << json::serialize(last);
  return id;
}

// ---------------------------------------------------------------- a Razorpay delivery

// What a Razorpay integration's receiver checks: the headers, the signature
// over the raw body with the endpoint's secret, and the body's envelope.
// The parsed body.
json::object verify_razorpay(const ReceivedRequest& r, std::string_view secret,
                             std::string_view what = {}) {
  EXPECT_EQ(r.method, "POST") << what;
  EXPECT_EQ(r.header("Content-Type"), "application/json") << what;
  EXPECT_EQ(r.header("X-Razorpay-Signature"), hex_hmac(secret, r.body)) << what << ": " << r.body;
  EXPECT_TRUE(matches(r.header("X-Razorpay-Event-Id"), "^evt_[A-Za-z0-9]{16}$"))
      << what << ": " << r.header("X-Razorpay-Event-Id");
  // paygate's own headers are not sent to a Razorpay receiver.
  for (const char* h : {"X-Signature", "X-Webhook-Signature", "webhook-id", "webhook-signature"}) {
    EXPECT_EQ(r.header(h), "") << what << ": " << h;
  }
  boost::system::error_code ec;
  const auto v = json::parse(r.body, ec);
  if (ec || !v.is_object()) {
    ADD_FAILURE() << what << ": not a JSON object: " << r.body;
    return {};
  }
  const auto& body = v.as_object();
  EXPECT_EQ(keys(body), (std::vector<std::string>{"entity", "account_id", "event", "contains",
                                                  "payload", "created_at"}))
      << what << ": " << r.body;
  EXPECT_EQ(str(body, "entity"), "event") << what;
  EXPECT_EQ(str(body, "account_id"), kAccountId) << what;
  const auto* created = body.if_contains("created_at");
  EXPECT_TRUE(created != nullptr && created->is_int64()) << what << ": " << r.body;
  if (created != nullptr && created->is_int64()) {
    EXPECT_NEAR(static_cast<double>(created->get_int64()), static_cast<double>(std::time(nullptr)),
                300)
        << what;
  }
  // Each name in contains has its entity in payload, and nothing else is there.
  const auto contains = strings(body.at("contains"));
  const auto* payload = body.if_contains("payload");
  if (payload == nullptr || !payload->is_object()) {
    ADD_FAILURE() << what << ": no payload object: " << r.body;
    return body;
  }
  EXPECT_EQ(keys(payload->as_object()), contains) << what << ": " << r.body;
  for (const auto& name : contains) {
    const auto* holder = payload->as_object().if_contains(name);
    if (holder == nullptr || !holder->is_object() || !holder->as_object().contains("entity")) {
      ADD_FAILURE() << what << ": no payload." << name << ".entity: " << r.body;
      continue;
    }
    EXPECT_EQ(keys(holder->as_object()), std::vector<std::string>{"entity"}) << what;
    const auto& entity = holder->as_object().at("entity");
    EXPECT_TRUE(entity.is_object()) << what;
    if (entity.is_object() && name != "test") {
      EXPECT_EQ(str(entity.as_object(), "entity"), name) << what << ": " << r.body;
    }
  }
  return body;
}

json::object entity(const json::object& body, std::string_view name) {
  const auto* p = body.if_contains("payload");
  if (p == nullptr || !p->is_object()) return {};
  const auto* h = p->as_object().if_contains(name);
  if (h == nullptr || !h->is_object()) return {};
  const auto* e = h->as_object().if_contains("entity");
  return e != nullptr && e->is_object() ? e->as_object() : json::object{};
}

// ================================================================ delivery

TEST(RazorpayWebhooks, EachEventArrivesInRazorpaysShapeBesideTheSeedsOwn) {
  Receiver receiver;
  auto server = start_server();
  auto c = server->client();
  const auto rzp = register_webhook(c, receiver.url("/rzp"), "razorpay");
  EXPECT_EQ(str(rzp.json, "format"), "razorpay");
  EXPECT_EQ(strings(rzp.json.at("events")), kRazorpayEvents);
  const auto pg = register_webhook(c, receiver.url("/pg"), "");
  EXPECT_EQ(str(pg.json, "format"), "paygate");

  // Authorized, then captured by the merchant (so the order is paid), then
  // refunded in full: payment.authorized, payment.captured, order.paid,
  // refund.created, refund.processed.
  const std::string merchant_paid = start_payment(c, upi(), true);
  EXPECT_EQ(wait_settled(c, merchant_paid).at("status"), "SUCCESS");
  EXPECT_EQ(capture(c, merchant_paid).at("captured"), true);
  const std::string processed = settled_refund(c, merchant_paid, "PROCESSED");
  // payment.failed.
  const std::string failed = start_payment(c, upi("failure@upi"), true);
  EXPECT_EQ(wait_settled(c, failed).at("status"), "FAILED");
  // Auto-captured (authorized, captured, order.paid at once), then a refund
  // that fails: refund.created, refund.failed.
  const std::string card_paid = captured_payment(c, demo_auth(), card(kRefundFailingCard));
  const std::string refused = settled_refund(c, card_paid, "FAILED");

  ASSERT_TRUE(receiver.wait_for("/rzp", 11)) << receiver.count("/rzp");
  ASSERT_TRUE(receiver.wait_for("/pg", 7)) << receiver.count("/pg");
  const auto rzp_logs = settled_logs(c, rzp.id, 11);
  settled_logs(c, pg.id, 7);
  std::this_thread::sleep_for(300ms);  // a stray extra delivery would show by now
  EXPECT_EQ(receiver.count("/rzp"), 11u);
  EXPECT_EQ(receiver.count("/pg"), 7u);

  // Every Razorpay delivery verifies; each event once, with an id of its own.
  std::map<std::string, std::vector<json::object>> by_event;
  std::set<std::string> ids;
  for (const auto& r : receiver.requests("/rzp")) {
    const auto body = verify_razorpay(r, rzp.secret, "/rzp");
    EXPECT_TRUE(ids.insert(r.header("X-Razorpay-Event-Id")).second) << r.body;
    by_event[str(body, "event")].push_back(body);
  }
  std::map<std::string, std::size_t> counts;
  for (const auto& [event, bodies] : by_event) counts[event] = bodies.size();
  EXPECT_EQ(counts, (std::map<std::string, std::size_t>{{"payment.authorized", 2},
                                                        {"payment.captured", 2},
                                                        {"order.paid", 2},
                                                        {"payment.failed", 1},
                                                        {"refund.created", 2},
                                                        {"refund.processed", 1},
                                                        {"refund.failed", 1}}));
  // The log names Razorpay's events, each delivered at the first attempt.
  std::multiset<std::string> logged;
  for (const auto& e : rzp_logs) {
    logged.insert(str(e.as_object(), "event_type"));
    EXPECT_EQ(str(e.as_object(), "status"), "success") << json::serialize(e);
    EXPECT_EQ(e.as_object().at("attempts"), 1) << json::serialize(e);
    EXPECT_TRUE(ids.contains(str(e.as_object(), "event_id"))) << json::serialize(e);
  }
  EXPECT_EQ(logged.size(), 11u);
  for (const auto& [event, n] : counts) EXPECT_EQ(logged.count(event), n) << event;

  // What each carries.
  const auto contains = [](const json::object& b) { return strings(b.at("contains")); };
  const std::vector<std::string> kPayment{"payment"};
  for (const auto& b : by_event["payment.authorized"]) {
    EXPECT_EQ(contains(b), kPayment);
    const auto p = entity(b, "payment");
    EXPECT_EQ(str(p, "status"), "authorized") << json::serialize(b);
    EXPECT_EQ(p.at("captured"), false) << json::serialize(b);
    EXPECT_EQ(p.at("amount"), kOrderAmount);
  }
  std::set<std::string> captured_ids;
  for (const auto& b : by_event["payment.captured"]) {
    EXPECT_EQ(contains(b), kPayment);
    const auto p = entity(b, "payment");
    EXPECT_EQ(str(p, "status"), "captured") << json::serialize(b);
    EXPECT_EQ(p.at("captured"), true) << json::serialize(b);
    captured_ids.insert(str(p, "id"));
  }
  EXPECT_EQ(captured_ids, (std::set<std::string>{merchant_paid, card_paid}));
  std::set<std::string> paid_orders;
  for (const auto& b : by_event["order.paid"]) {
    EXPECT_EQ(contains(b), (std::vector<std::string>{"payment", "order"}));
    const auto p = entity(b, "payment");
    const auto o = entity(b, "order");
    EXPECT_EQ(str(p, "status"), "captured") << json::serialize(b);
    EXPECT_EQ(str(o, "id"), str(p, "order_id")) << json::serialize(b);
    EXPECT_EQ(str(o, "status"), "paid") << json::serialize(b);
    EXPECT_EQ(o.at("amount_paid"), kOrderAmount) << json::serialize(b);
    EXPECT_EQ(o.at("amount_due"), 0) << json::serialize(b);
    paid_orders.insert(str(o, "id"));
  }
  EXPECT_EQ(paid_orders.size(), 2u);
  {
    const auto& b = by_event["payment.failed"].at(0);
    EXPECT_EQ(contains(b), kPayment);
    const auto p = entity(b, "payment");
    EXPECT_EQ(str(p, "id"), failed);
    EXPECT_EQ(str(p, "status"), "failed");
    EXPECT_EQ(str(p, "error_code"), "BAD_REQUEST_ERROR") << json::serialize(b);
    EXPECT_FALSE(str(p, "error_description").empty()) << json::serialize(b);
  }
  const std::vector<std::string> kRefundPayment{"refund", "payment"};
  std::set<std::string> created_refunds;
  for (const auto& b : by_event["refund.created"]) {
    EXPECT_EQ(contains(b), kRefundPayment);
    const auto r = entity(b, "refund");
    EXPECT_EQ(str(r, "status"), "pending") << json::serialize(b);
    EXPECT_EQ(str(r, "payment_id"), str(entity(b, "payment"), "id")) << json::serialize(b);
    EXPECT_EQ(entity(b, "payment").at("amount_refunded"), 0) << json::serialize(b);
    created_refunds.insert(str(r, "id"));
  }
  // Razorpay's refund ids are rfnd_…: paygate's refund_… with the same suffix.
  const auto rfnd = [](const std::string& id) { return "rfnd_" + id.substr(7); };
  EXPECT_EQ(created_refunds, (std::set<std::string>{rfnd(processed), rfnd(refused)}));
  {
    const auto& b = by_event["refund.processed"].at(0);
    EXPECT_EQ(contains(b), kRefundPayment);
    const auto r = entity(b, "refund");
    EXPECT_EQ(str(r, "id"), rfnd(processed));
    EXPECT_EQ(str(r, "status"), "processed");
    EXPECT_EQ(r.at("amount"), kOrderAmount);
    EXPECT_EQ(str(r, "currency"), "INR");
    // The payment as the refund left it.
    const auto p = entity(b, "payment");
    EXPECT_EQ(str(p, "id"), merchant_paid);
    EXPECT_EQ(str(p, "status"), "refunded") << json::serialize(b);
    EXPECT_EQ(p.at("amount_refunded"), kOrderAmount) << json::serialize(b);
  }
  {
    const auto& b = by_event["refund.failed"].at(0);
    EXPECT_EQ(contains(b), kRefundPayment);
    EXPECT_EQ(str(entity(b, "refund"), "id"), rfnd(refused));
    EXPECT_EQ(str(entity(b, "refund"), "status"), "failed");
    EXPECT_EQ(str(entity(b, "payment"), "id"), card_paid);
  }

  // The paygate endpoint: the seed's events, in the seed's shape and headers,
  // and no refund.created.
  std::multiset<std::string> seed_events;
  for (const auto& r : receiver.requests("/pg")) {
    EXPECT_EQ(r.header("X-Signature"), hex_hmac(pg.secret, r.body)) << r.body;
    EXPECT_FALSE(r.header("webhook-signature").empty());
    EXPECT_EQ(r.header("X-Razorpay-Signature"), "");
    const auto body = json::parse(r.body).as_object();
    EXPECT_EQ(keys(body), (std::vector<std::string>{"id", "event", "created_at", "data"}))
        << r.body;
    EXPECT_EQ(str(body, "id"), r.header("webhook-id"));
    seed_events.insert(str(body, "event"));
  }
  EXPECT_EQ(seed_events,
            (std::multiset<std::string>{"payment.success", "payment.success", "payment.captured",
                                        "payment.captured", "payment.failed", "refund.processed",
                                        "refund.failed"}));
}

TEST(RazorpayWebhooks, OnlyTheEventsSubscribedToAreSent) {
  Receiver receiver;
  auto server = start_server();
  auto c = server->client();
  const auto paid = register_webhook(c, receiver.url("/paid"), "razorpay",
                                     std::vector<std::string>{"order.paid"});
  captured_payment(c);
  ASSERT_TRUE(receiver.wait_for("/paid", 1));
  settled_logs(c, paid.id, 1);
  std::this_thread::sleep_for(300ms);
  ASSERT_EQ(receiver.count("/paid"), 1u);
  const auto body = verify_razorpay(receiver.requests("/paid")[0], paid.secret, "/paid");
  EXPECT_EQ(str(body, "event"), "order.paid");
}

// ================================================================ the format

TEST(RazorpayWebhooks, FormatIsValidatedShownAndChanged) {
  auto server = start_server();
  auto c = server->client();
  const std::string url = "https://example.com/hook";

  expect_bad_field(post_webhook(c, {{"url", url}, {"format", "stripe"}}), "format", "unknown");
  expect_bad_field(post_webhook(c, {{"url", url}, {"format", 7}}), "format", "not a string");
  expect_bad_field(post_webhook(c, {{"url", url}, {"format", ""}}), "format", "empty");
  // Each format's own names only.
  expect_bad_field(
      post_webhook(
          c, {{"url", url}, {"format", "razorpay"}, {"events", json::array{"payment.success"}}}),
      "events", "a paygate event on a razorpay endpoint");
  expect_bad_field(post_webhook(c, {{"url", url},
                                    {"format", "razorpay"},
                                    {"events", json::array{"payment.captured", "webhook.test"}}}),
                   "events", "webhook.test");
  for (const char* event : {"payment.authorized", "order.paid", "refund.created"}) {
    expect_bad_field(post_webhook(c, {{"url", url}, {"events", json::array{event}}}), "events",
                     event);
  }
  EXPECT_EQ(c.get(kWebhooks, demo_auth()).body, "[]");

  const auto some = register_webhook(c, url, "razorpay",
                                     std::vector<std::string>{"payment.captured", "order.paid"});
  EXPECT_EQ(strings(some.json.at("events")),
            (std::vector<std::string>{"payment.captured", "order.paid"}));
  const auto seed = register_webhook(c, url, "paygate");
  EXPECT_EQ(str(seed.json, "format"), "paygate");

  // Shown on every read.
  const auto got = object_of(c.get(std::string(kWebhooks) + "/" + some.id, demo_auth()));
  EXPECT_EQ(str(got, "format"), "razorpay");
  std::map<std::string, std::string> listed;
  const auto list = c.get(kWebhooks, demo_auth()).json();
  ASSERT_TRUE(list.is_array());
  for (const auto& w : list.as_array()) {
    listed[str(w.as_object(), "id")] = str(w.as_object(), "format");
  }
  EXPECT_EQ(listed,
            (std::map<std::string, std::string>{{some.id, "razorpay"}, {seed.id, "paygate"}}));

  // Events are checked against the endpoint's format, the new one when it changes.
  expect_bad_field(patch_webhook(c, some.id, {{"events", json::array{"payment.success"}}}),
                   "events", "paygate event on the razorpay endpoint");
  expect_bad_field(
      patch_webhook(c, seed.id,
                    {{"format", "razorpay"}, {"events", json::array{"payment.success"}}}),
      "events", "paygate event with the new format");
  expect_bad_field(patch_webhook(c, seed.id, {{"format", "xml"}}), "format", "unknown");
  const auto unchanged = object_of(c.get(std::string(kWebhooks) + "/" + seed.id, demo_auth()));
  EXPECT_EQ(str(unchanged, "format"), "paygate");

  // A new format without events: all of that format's (the names differ).
  const auto to_razorpay = patch_webhook(c, seed.id, {{"format", "razorpay"}});
  ASSERT_EQ(to_razorpay.status, 200) << to_razorpay.body;
  EXPECT_EQ(str(object_of(to_razorpay), "format"), "razorpay");
  EXPECT_EQ(strings(object_of(to_razorpay).at("events")), kRazorpayEvents);
  const auto back = patch_webhook(
      c, seed.id, {{"format", "paygate"}, {"events", json::array{"payment.success"}}});
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(str(object_of(back), "format"), "paygate");
  EXPECT_EQ(strings(object_of(back).at("events")), std::vector<std::string>{"payment.success"});
  // The same format again keeps the list.
  const auto same = patch_webhook(c, some.id, {{"format", "razorpay"}});
  ASSERT_EQ(same.status, 200) << same.body;
  EXPECT_EQ(strings(object_of(same).at("events")),
            (std::vector<std::string>{"payment.captured", "order.paid"}));
}

// ================================================================ retries

TEST(RazorpayWebhooks, FailedDeliveryIsRetriedWithItsFirstBytes) {
  Receiver receiver;
  receiver.respond_statuses("/down", {500});
  auto server = start_server();
  auto c = server->client();
  const auto w = register_webhook(c, receiver.url("/down"), "razorpay",
                                  std::vector<std::string>{"payment.authorized"});
  start_payment(c, upi(), true);

  // Every scheduled attempt (1 + 4) refused: failed, each the same bytes.
  ASSERT_TRUE(receiver.wait_for("/down", 5));
  const auto logs = settled_logs(c, w.id, 1);
  ASSERT_EQ(logs.size(), 1u);
  const std::string log_id = str(logs[0].as_object(), "id");
  const auto failed = wait_log_status(c, log_id, "failed");
  EXPECT_EQ(failed.at("attempts"), 5) << json::serialize(failed);
  EXPECT_EQ(str(failed, "event_type"), "payment.authorized");
  const auto first = receiver.requests("/down")[0];
  for (const auto& r : receiver.requests("/down")) {
    EXPECT_EQ(r.body, first.body);
    EXPECT_EQ(r.header("X-Razorpay-Event-Id"), first.header("X-Razorpay-Event-Id"));
    verify_razorpay(r, w.secret, "scheduled retry");
  }
  EXPECT_EQ(first.header("X-Razorpay-Event-Id"), str(failed, "event_id"));

  // The endpoint changed since (format and secret): a retry by hand still
  // sends the event as it was rendered, signed Razorpay's way with the secret
  // the endpoint has now.
  ASSERT_EQ(patch_webhook(c, w.id, {{"format", "paygate"}}).status, 200);
  const auto rotated =
      c.post(std::string(kWebhooks) + "/" + w.id + "/rotate-secret", "", demo_auth());
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const std::string new_secret = str(object_of(rotated), "secret");
  receiver.respond_statuses("/down", {200});
  const auto retry = c.post(std::string(kLogs) + "/" + log_id + "/retry", "", demo_auth());
  ASSERT_EQ(retry.status, 200) << retry.body;
  ASSERT_TRUE(receiver.wait_for("/down", 6));
  const auto done = wait_log_status(c, log_id, "success");
  EXPECT_EQ(done.at("attempts"), 6) << json::serialize(done);
  const auto again = receiver.requests("/down")[5];
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.header("X-Razorpay-Event-Id"), first.header("X-Razorpay-Event-Id"));
  const auto body = verify_razorpay(again, new_secret, "manual retry");
  EXPECT_EQ(str(body, "event"), "payment.authorized");
}

TEST(RazorpayWebhooks, TestEventInRazorpaysShapeSignedWithTheCurrentSecret) {
  Receiver receiver;
  auto server = start_server();
  auto c = server->client();
  const auto w = register_webhook(c, receiver.url("/hook"), "razorpay");
  const auto sent = c.post(std::string(kWebhooks) + "/" + w.id + "/test", "", demo_auth());
  ASSERT_EQ(sent.status, 200) << sent.body;
  ASSERT_TRUE(receiver.wait_for("/hook", 1));
  const auto body = verify_razorpay(receiver.requests("/hook")[0], w.secret, "test");
  EXPECT_EQ(str(body, "event"), "webhook.test");
  EXPECT_EQ(strings(body.at("contains")), std::vector<std::string>{"test"});
  EXPECT_EQ(str(entity(body, "test"), "webhook_id"), w.id);

  // Razorpay has one signature header: from a rotation on, it is the new
  // secret's (the old one's overlap is for paygate's webhook-signature).
  const auto rotated =
      c.post(std::string(kWebhooks) + "/" + w.id + "/rotate-secret", "", demo_auth());
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const std::string new_secret = str(object_of(rotated), "secret");
  ASSERT_EQ(c.post(std::string(kWebhooks) + "/" + w.id + "/test", "", demo_auth()).status, 200);
  ASSERT_TRUE(receiver.wait_for("/hook", 2));
  const auto r = receiver.requests("/hook")[1];
  verify_razorpay(r, new_secret, "after rotation");
  EXPECT_NE(r.header("X-Razorpay-Signature"), hex_hmac(w.secret, r.body));
}

}  // namespace
}  // namespace paygate::test
