// Webhooks end to end, through the real binary and a real HTTP receiver:
// registration and its validation, isolation between merchants, every event
// type delivered once per subscribed endpoint with verifiable signatures,
// retries (schedule, Retry-After, 410 Gone, giving up), a slow receiver that
// must not hold up the others, manual retries, secret rotation, test events,
// the delivery log, the SSRF guard, and deliveries that survive a crash.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <future>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "harness.h"
#include "receiver.h"

namespace paygate::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kWebhooks = "/api/v1/webhooks";
constexpr std::string_view kLogs = "/api/v1/webhook-logs";
constexpr std::string_view kOrders = "/api/v1/orders";
constexpr std::string_view kPayments = "/api/v1/payments";
constexpr std::string_view kPublicPayments = "/api/v1/payments/public";
constexpr std::string_view kRefunds = "/api/v1/refunds";
constexpr const char* kDemoMerchantId = "mrc_testmerchant0001";
// Payments with this card succeed; their refunds fail.
constexpr const char* kRefundFailingCard = "4000000000000077";
const std::set<std::string> kAllEvents{"payment.success", "payment.failed", "payment.captured",
                                       "refund.processed", "refund.failed"};

// ---------------------------------------------------------------- servers

// A test-mode server with instant processing and a fast retry schedule.
std::unique_ptr<TestServer> start_server(std::map<std::string, std::string> env = {}) {
  std::map<std::string, std::string> all{{"PAYGATE_PROCESSING_DELAY_MS", "0"},
                                         {"PAYGATE_WEBHOOK_RETRY_SCHEDULE", "0.3,0.3,0.3,0.3"}};
  for (auto& [k, v] : env) all[k] = v;
  return TestServer::start(ServerOptions{.test_mode = true, .args = {}, .env = std::move(all)});
}

// ---------------------------------------------------------------- JSON helpers

using paygate::test::str;  // the harness's, beside this overload

std::string str(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr ? str(*v) : "";
}

json::array array_of(const HttpResponse& res) {
  const auto v = res.json();
  if (!v.is_array()) {
    ADD_FAILURE() << "not a JSON array (status " << res.status << "): " << res.body;
    return {};
  }
  return v.as_array();
}

std::int64_t int_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_int64()) {
    ADD_FAILURE() << key << " is not an integer in " << json::serialize(o);
    return -1;
  }
  return v->get_int64();
}

std::set<std::string> keys_of(const json::object& o) {
  std::set<std::string> keys;
  for (const auto& kv : o) keys.emplace(kv.key());
  return keys;
}

bool matches(std::string_view s, const char* pattern) {
  const std::regex re(pattern);
  return std::regex_match(s.begin(), s.end(), re);
}

bool is_uuid_v4(std::string_view s) {
  return matches(s, "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
}
bool is_event_id(std::string_view s) {
  return matches(s, "^evt_[A-Za-z0-9]{16}$");
}
bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

void expect_error(const HttpResponse& res, int status, std::string_view code,
                  std::string_view field = {}, std::string_view what = {}) {
  EXPECT_EQ(res.status, status) << what << ": " << res.body;
  EXPECT_EQ(res.error_code(), code) << what << ": " << res.body;
  if (field.empty()) return;
  boost::system::error_code ec;
  const auto v = json::parse(res.body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("error")) return;
  const auto& error = v.as_object().at("error").as_object();
  EXPECT_EQ(str(error, "field"), field) << what << ": " << res.body;
}

std::string url_encode(std::string_view s) {
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      std::array<char, 4> b{};
      std::snprintf(b.data(), b.size(), "%%%02X", static_cast<unsigned>(c));
      out += b.data();
    }
  }
  return out;
}

Headers with(Headers h, std::string name, std::string value) {
  h.emplace_back(std::move(name), std::move(value));
  return h;
}

// ---------------------------------------------------------------- signatures (OpenSSL, here)

std::string hmac(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
  return std::string(reinterpret_cast<const char*>(out.data()), len);
}

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string body_signature(std::string_view secret, std::string_view body) {
  return hex(hmac(secret, body));
}

// "v1,<base64>" for one secret.
std::string standard_signature(std::string_view secret, const ReceivedRequest& r) {
  const std::string content =
      r.header("webhook-id") + "." + r.header("webhook-timestamp") + "." + r.body;
  return "v1," + base64(hmac(secret, content));
}

std::vector<std::string> split_spaces(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const auto sp = s.find(' ');
    if (sp != 0) out.emplace_back(s.substr(0, sp));
    if (sp == std::string_view::npos) break;
    s.remove_prefix(sp + 1);
  }
  return out;
}

// Checks one delivery as a receiver would (headers, signatures from the raw
// body with this secret, body shape) and returns the parsed body.
json::object verify_delivery(const ReceivedRequest& r, std::string_view secret,
                             std::string_view what = {}) {
  EXPECT_EQ(r.method, "POST") << what;
  EXPECT_EQ(r.header("Content-Type"), "application/json") << what;
  EXPECT_TRUE(contains(r.header("User-Agent"), "paygate"))
      << what << ": " << r.header("User-Agent");
  const std::string expected_hex = body_signature(secret, r.body);
  EXPECT_EQ(r.header("X-Signature"), expected_hex) << what;
  EXPECT_EQ(r.header("X-Webhook-Signature"), expected_hex) << what;
  const std::string id = r.header("webhook-id");
  const std::string ts = r.header("webhook-timestamp");
  EXPECT_TRUE(is_event_id(id)) << what << ": webhook-id " << id;
  EXPECT_TRUE(matches(ts, R"(^\d{10}$)")) << what << ": webhook-timestamp " << ts;
  if (matches(ts, R"(^\d{10}$)")) {
    EXPECT_NEAR(static_cast<double>(std::stoll(ts)), static_cast<double>(std::time(nullptr)), 300)
        << what;
  }
  EXPECT_EQ(r.header("webhook-signature"), standard_signature(secret, r)) << what;

  boost::system::error_code ec;
  const auto v = json::parse(r.body, ec);
  if (ec || !v.is_object()) {
    ADD_FAILURE() << what << ": body is not a JSON object: " << r.body;
    return {};
  }
  const json::object body = v.as_object();
  EXPECT_EQ(keys_of(body), (std::set<std::string>{"id", "event", "created_at", "data"}))
      << what << ": " << r.body;
  EXPECT_EQ(str(body, "id"), id) << what;
  EXPECT_TRUE(is_iso_micros(str(body, "created_at"))) << what << ": " << r.body;
  const std::string event = str(body, "event");
  const auto* data = body.if_contains("data");
  if (data == nullptr || !data->is_object()) {
    ADD_FAILURE() << what << ": no data object: " << r.body;
    return body;
  }
  std::string object_name;
  if (event.starts_with("payment.")) object_name = "payment";
  if (event.starts_with("refund.")) object_name = "refund";
  if (!object_name.empty()) {
    EXPECT_EQ(keys_of(data->as_object()), std::set<std::string>{object_name})
        << what << ": " << r.body;
    const auto* object = data->as_object().if_contains(object_name);
    if (object == nullptr || !object->is_object()) {
      ADD_FAILURE() << what << ": no data." << object_name << ": " << r.body;
    } else {
      EXPECT_GE(int_of(object->as_object(), "version"), 1) << what << ": " << r.body;
      EXPECT_EQ(str(object->as_object(), "merchant_id"), kDemoMerchantId) << what;
    }
  }
  return body;
}

// data.payment / data.refund of a delivered body.
json::object data_object(const json::object& body, std::string_view name) {
  const auto* data = body.if_contains("data");
  if (data == nullptr || !data->is_object()) return {};
  const auto* o = data->as_object().if_contains(name);
  return o != nullptr && o->is_object() ? o->as_object() : json::object{};
}

// ---------------------------------------------------------------- webhook API helpers

struct Endpoint {
  std::string id;
  std::string url;
  std::string secret;
  json::object json;
};

HttpResponse post_webhook(HttpClient& c, const json::object& body,
                          const Headers& headers = demo_auth()) {
  return c.post(kWebhooks, json::serialize(body), headers);
}

Endpoint register_webhook(HttpClient& c, const std::string& url,
                          std::optional<std::vector<std::string>> events = std::nullopt,
                          const Headers& headers = demo_auth()) {
  json::object body{{"url", url}};
  if (events) {
    json::array a;
    for (const auto& e : *events) a.emplace_back(e);
    body["events"] = std::move(a);
  }
  const auto res = post_webhook(c, body, headers);
  EXPECT_EQ(res.status, 201) << res.body;
  if (res.status != 201) return {};
  auto o = object_of(res);
  return {str(o, "id"), str(o, "url"), str(o, "secret"), o};
}

std::string webhook_path(std::string_view id, std::string_view suffix = {}) {
  return std::string(kWebhooks) + "/" + std::string(id) + std::string(suffix);
}

json::object get_webhook(HttpClient& c, std::string_view id) {
  const auto res = c.get(webhook_path(id), demo_auth());
  EXPECT_EQ(res.status, 200) << res.body;
  return res.status == 200 ? object_of(res) : json::object{};
}

HttpResponse patch_webhook(HttpClient& c, std::string_view id, const json::object& body,
                           const Headers& headers = demo_auth()) {
  return c.request("PATCH", webhook_path(id), json::serialize(body), headers);
}

// POST /webhooks/{id}/test; expects it to be accepted.
void send_test(HttpClient& c, std::string_view id) {
  const auto res = c.post(webhook_path(id, "/test"), "", demo_auth());
  EXPECT_EQ(res.status, 200) << res.body;
}

std::set<std::string> events_of(const json::object& w) {
  std::set<std::string> out;
  const auto* v = w.if_contains("events");
  if (v == nullptr || !v->is_array()) {
    ADD_FAILURE() << "no events array: " << json::serialize(w);
    return out;
  }
  for (const auto& e : v->as_array()) out.insert(str(e));
  return out;
}

// Checks a webhook endpoint object: the document's fields and ours.
void expect_webhook_shape(const json::object& w) {
  EXPECT_EQ(keys_of(w), (std::set<std::string>{"id", "merchant_id", "url", "secret", "events",
                                               "format", "active", "created_at", "updated_at"}))
      << json::serialize(w);
  EXPECT_EQ(str(w, "format"), "paygate") << json::serialize(w);
  EXPECT_TRUE(is_uuid_v4(str(w, "id"))) << json::serialize(w);
  EXPECT_TRUE(matches(str(w, "secret"), "^[0-9a-f]{64}$")) << json::serialize(w);
  EXPECT_TRUE(w.contains("active") && w.at("active").is_bool()) << json::serialize(w);
  EXPECT_TRUE(is_iso_micros(str(w, "created_at"))) << json::serialize(w);
  EXPECT_TRUE(is_iso_micros(str(w, "updated_at"))) << json::serialize(w);
}

// ---------------------------------------------------------------- log helpers

json::array list_logs(HttpClient& c, std::string_view query = "count=100",
                      const Headers& headers = demo_auth()) {
  const auto res = c.get(std::string(kLogs) + "?" + std::string(query), headers);
  EXPECT_EQ(res.status, 200) << query << ": " << res.body;
  return res.status == 200 ? array_of(res) : json::array{};
}

json::object get_log(HttpClient& c, std::string_view id) {
  const auto res = c.get(std::string(kLogs) + "/" + std::string(id), demo_auth());
  EXPECT_EQ(res.status, 200) << res.body;
  return res.status == 200 ? object_of(res) : json::object{};
}

// The log entries of one endpoint, once there are n and none is pending.
json::array settled_logs(HttpClient& c, std::string_view webhook_id, std::size_t n,
                         std::chrono::milliseconds timeout = 10s) {
  json::array last;
  const bool done = eventually(
      [&] {
        last = list_logs(c, "count=100&webhook_id=" + std::string(webhook_id));
        if (last.size() != n) return false;
        for (const auto& e : last) {
          if (str(e.as_object(), "status") == "pending") return false;
        }
        return true;
      },
      timeout);
  EXPECT_TRUE(done) << "expected " << n << " settled log entries for " << webhook_id << ", got "
                    << json::serialize(last);
  return last;
}

// The log entry once its status is this one.
json::object wait_log_status(HttpClient& c, std::string_view log_id, std::string_view status,
                             std::chrono::milliseconds timeout = 10s) {
  json::object last;
  const bool done = eventually(
      [&] {
        last = get_log(c, log_id);
        return str(last, "status") == status;
      },
      timeout);
  EXPECT_TRUE(done) << "log " << log_id << " not " << status << ": " << json::serialize(last);
  return last;
}

// The only log entry of an endpoint, once it exists.
std::string only_log_id(HttpClient& c, std::string_view webhook_id) {
  json::array logs;
  eventually([&] {
    logs = list_logs(c, "count=100&webhook_id=" + std::string(webhook_id));
    return !logs.empty();
  });
  EXPECT_EQ(logs.size(), 1u) << json::serialize(logs);
  return logs.empty() ? std::string() : str(logs.front().as_object(), "id");
}

json::array attempt_log(const json::object& log) {
  const auto* a = log.if_contains("attempt_log");
  if (a == nullptr || !a->is_array()) {
    ADD_FAILURE() << "no attempt_log: " << json::serialize(log);
    return {};
  }
  return a->as_array();
}

// Checks a log list entry: the document's fields (and ours), their types.
void expect_log_shape(const json::object& e) {
  for (const char* k : {"id", "webhook_id", "event_type", "status", "attempts", "response_code",
                        "response_body", "created_at", "updated_at"}) {
    EXPECT_TRUE(e.contains(k)) << k << " missing: " << json::serialize(e);
  }
  EXPECT_TRUE(is_uuid_v4(str(e, "id"))) << json::serialize(e);
  EXPECT_TRUE(is_uuid_v4(str(e, "webhook_id"))) << json::serialize(e);
  const std::string status = str(e, "status");
  EXPECT_TRUE(status == "pending" || status == "success" || status == "failed") << status;
  EXPECT_TRUE(e.contains("attempts") && e.at("attempts").is_int64()) << json::serialize(e);
  if (e.contains("response_code")) {
    EXPECT_TRUE(e.at("response_code").is_string() || e.at("response_code").is_null())
        << json::serialize(e);
  }
  EXPECT_TRUE(is_iso_micros(str(e, "created_at"))) << json::serialize(e);
  EXPECT_TRUE(is_iso_micros(str(e, "updated_at"))) << json::serialize(e);
}

// ---------------------------------------------------------------- payments

json::object upi(std::string_view vpa = "success@upi") {
  return {{"method", "upi"}, {"vpa", vpa}};
}

json::object card(std::string_view number) {
  return {{"method", "card"},
          {"card",
           {{"number", number}, {"expiry_month", "12"}, {"expiry_year", "2030"}, {"cvv", "123"}}}};
}

std::string create_order(HttpClient& c) {
  const auto res = c.post(kOrders, R"({"amount":50000})", demo_auth());
  EXPECT_EQ(res.status, 201) << res.body;
  return res.status == 201 ? str(object_of(res), "id") : "";
}

// A payment on a new order, through the merchant endpoint or the public
// (auto-captured) one; its id.
std::string start_payment(HttpClient& c, json::object instrument, bool merchant_endpoint) {
  instrument["order_id"] = create_order(c);
  const auto res = c.post(merchant_endpoint ? kPayments : kPublicPayments,
                          json::serialize(instrument), demo_auth());
  EXPECT_EQ(res.status, 201) << res.body;
  return res.status == 201 ? str(object_of(res), "id") : "";
}

json::object wait_payment_settled(HttpClient& c, std::string_view id) {
  json::object last;
  const bool done = eventually([&] {
    const auto res = c.get(std::string(kPayments) + "/" + std::string(id), demo_auth());
    if (res.status != 200) return false;
    last = object_of(res);
    const std::string s = str(last, "status");
    return s == "SUCCESS" || s == "FAILED";
  });
  EXPECT_TRUE(done) << "payment " << id << " not settled: " << json::serialize(last);
  return last;
}

// A payment, settled; its id.
std::string settled_payment(HttpClient& c, json::object instrument, bool merchant_endpoint,
                            std::string_view expected_status) {
  const std::string id = start_payment(c, std::move(instrument), merchant_endpoint);
  const auto p = wait_payment_settled(c, id);
  EXPECT_EQ(str(p, "status"), expected_status) << json::serialize(p);
  return id;
}

json::object capture(HttpClient& c, std::string_view payment_id) {
  const auto res = c.post(std::string(kPayments) + "/" + std::string(payment_id) + "/capture", "{}",
                          demo_auth());
  EXPECT_EQ(res.status, 200) << res.body;
  return res.status == 200 ? object_of(res) : json::object{};
}

// A full refund of the payment, settled; its id.
std::string settled_refund(HttpClient& c, std::string_view payment_id,
                           std::string_view expected_status) {
  const auto res =
      c.post(kRefunds, json::serialize(json::object{{"payment_id", payment_id}}), demo_auth());
  EXPECT_EQ(res.status, 201) << res.body;
  if (res.status != 201) return {};
  const std::string id = str(object_of(res), "id");
  json::object last;
  const bool done = eventually([&] {
    const auto r = c.get(std::string(kRefunds) + "/" + id, demo_auth());
    if (r.status != 200) return false;
    last = object_of(r);
    return str(last, "status") != "PENDING";
  });
  EXPECT_TRUE(done) << json::serialize(last);
  EXPECT_EQ(str(last, "status"), expected_status) << json::serialize(last);
  return id;
}

// A port on 127.0.0.1 that nothing listens on.
std::uint16_t closed_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

// ================================================================ registration

TEST(WebhookRegistration, UrlFromBodyQueryOrHeader) {
  Receiver receiver;
  auto server = start_server();
  auto c = server->client();

  const std::string body_url = receiver.url("/body");
  const auto from_body = post_webhook(c, {{"url", body_url}});
  ASSERT_EQ(from_body.status, 201) << from_body.body;
  EXPECT_EQ(from_body.header("Content-Type"), "application/json");
  const auto b = object_of(from_body);
  expect_webhook_shape(b);
  EXPECT_EQ(str(b, "url"), body_url);
  EXPECT_EQ(str(b, "merchant_id"), kDemoMerchantId);
  EXPECT_EQ(b.at("active"), true);
  EXPECT_EQ(events_of(b), kAllEvents);

  const std::string query_url = receiver.url("/query?a=1&b=2");
  const auto from_query =
      c.post(std::string(kWebhooks) + "?url=" + url_encode(query_url), "", demo_auth());
  ASSERT_EQ(from_query.status, 201) << from_query.body;
  const auto q = object_of(from_query);
  expect_webhook_shape(q);
  EXPECT_EQ(str(q, "url"), query_url);
  EXPECT_EQ(events_of(q), kAllEvents);

  const std::string header_url = receiver.url("/header");
  const auto from_header = c.post(kWebhooks, "", with(demo_auth(), "url", header_url));
  ASSERT_EQ(from_header.status, 201) << from_header.body;
  const auto h = object_of(from_header);
  expect_webhook_shape(h);
  EXPECT_EQ(str(h, "url"), header_url);

  // Only some events.
  const auto some = post_webhook(c, {{"url", receiver.url("/some")},
                                     {"events", json::array{"payment.success", "refund.failed"}}});
  ASSERT_EQ(some.status, 201) << some.body;
  EXPECT_EQ(events_of(object_of(some)),
            (std::set<std::string>{"payment.success", "refund.failed"}));

  // Every id and secret is its own.
  const std::set<std::string> ids{str(b, "id"), str(q, "id"), str(h, "id"),
                                  str(object_of(some), "id")};
  EXPECT_EQ(ids.size(), 4u);
  const std::set<std::string> secrets{str(b, "secret"), str(q, "secret"), str(h, "secret"),
                                      str(object_of(some), "secret")};
  EXPECT_EQ(secrets.size(), 4u);

  // Merchant authentication is required.
  expect_error(c.post(kWebhooks, json::serialize(json::object{{"url", body_url}}),
                      {{"X-Api-Key", std::string(kDemoKey)}}),
               401, "AUTHENTICATION_ERROR");
  expect_error(c.get(kWebhooks), 401, "AUTHENTICATION_ERROR");
  expect_error(c.get(kLogs), 401, "AUTHENTICATION_ERROR");
}

TEST(WebhookRegistration, RejectsInvalidUrlsAndEvents) {
  auto server = start_server();
  auto c = server->client();

  const std::string too_long = "https://example.com/" + std::string(2049 - 20, 'a');
  ASSERT_EQ(too_long.size(), 2049u);
  for (const std::string& url : {std::string("ftp://example.com/hook"),
                                 std::string("/relative/hook"), std::string("example.com/hook"),
                                 std::string("http://"), std::string("javascript:x"), too_long}) {
    expect_error(post_webhook(c, {{"url", url}}), 400, "BAD_REQUEST_ERROR", "url",
                 url.substr(0, 40));
  }
  // 2048 characters is fine.
  const std::string at_limit = "https://example.com/" + std::string(2048 - 20, 'a');
  EXPECT_EQ(post_webhook(c, {{"url", at_limit}}).status, 201);

  expect_error(c.post(kWebhooks, "{}", demo_auth()), 400, "BAD_REQUEST_ERROR", "url", "no url");
  expect_error(c.post(kWebhooks, "", demo_auth()), 400, "BAD_REQUEST_ERROR", "url", "no body");
  expect_error(post_webhook(c, {{"url", 42}}), 400, "BAD_REQUEST_ERROR", "url", "url a number");
  expect_error(c.post(kWebhooks, "{not json", demo_auth()), 400, "BAD_REQUEST_ERROR", {},
               "malformed");
  expect_error(post_webhook(c, {{"url", "https://example.com/h"},
                                {"events", json::array{"payment.refunded"}}}),
               400, "BAD_REQUEST_ERROR", "events", "unknown event");
  expect_error(post_webhook(c, {{"url", "https://example.com/h"},
                                {"events", json::array{"payment.success", "webhook.test"}}}),
               400, "BAD_REQUEST_ERROR", "events", "webhook.test is not subscribable");
  expect_error(post_webhook(c, {{"url", "https://example.com/h"}, {"events", json::array{}}}), 400,
               "BAD_REQUEST_ERROR", "events", "empty events");
  expect_error(post_webhook(c, {{"url", "https://example.com/h"}, {"events", "payment.success"}}),
               400, "BAD_REQUEST_ERROR", "events", "events not an array");

  // Only the one valid registration happened.
  EXPECT_EQ(array_of(c.get(kWebhooks, demo_auth())).size(), 1u);
}

// On PostgreSQL two writes to one endpoint run side by side: a PATCH that
// read the endpoint before a rotation committed must not put the old secret
// back (receivers would then reject every signature).
TEST(WebhookRegistration, PatchRacingARotationKeepsTheNewSecret) {
  if (!on_postgres()) GTEST_SKIP() << "only PostgreSQL runs two writes at once";
  auto server = start_server();
  auto c = server->client();
  const auto endpoint = register_webhook(c, "https://example.com/hook/before");
  const std::string url = server->database_url();

  PgSession rotation(url);
  rotation.query("BEGIN");
  rotation.query(
      "UPDATE webhook_endpoints SET secret = 'rotated', version = version + 1"
      " WHERE id = '" +
      endpoint.id + "'");
  auto patched = std::async(std::launch::async, [&] {
    auto own = server->client();
    return patch_webhook(own, endpoint.id, {{"url", "https://example.com/hook/after"}});
  });
  const bool waiting = eventually_waits_for_a_lock(url);
  rotation.query("COMMIT");
  ASSERT_TRUE(waiting) << "the PATCH never waited for the row";
  const auto res = patched.get();
  ASSERT_EQ(res.status, 200) << res.body;

  // The secret is sealed at rest (written here as an unsealed one, which the
  // PATCH read and sealed again): the API shows what it holds.
  const auto after = object_of(c.get(std::string(kWebhooks) + "/" + endpoint.id, demo_auth()));
  EXPECT_EQ(str(after.at("url")), "https://example.com/hook/after");
  EXPECT_EQ(str(after.at("secret")), "rotated");
}

TEST(WebhookRegistration, AtMostTenEndpointsPerMerchant) {
  auto server = start_server();
  auto c = server->client();
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) {
    ids.push_back(register_webhook(c, "https://example.com/hook/" + std::to_string(i)).id);
  }
  expect_error(post_webhook(c, {{"url", "https://example.com/hook/10"}}), 400, "BAD_REQUEST_ERROR",
               {}, "11th endpoint");
  EXPECT_EQ(array_of(c.get(kWebhooks, demo_auth())).size(), 10u);

  // Another merchant has its own ten.
  const auto other = create_merchant(*server);
  EXPECT_EQ(post_webhook(c, {{"url", "https://example.com/other"}}, other.headers()).status, 201);

  // Deleting one makes room again.
  EXPECT_EQ(c.request("DELETE", webhook_path(ids.front()), {}, demo_auth()).status, 200);
  EXPECT_EQ(post_webhook(c, {{"url", "https://example.com/hook/11"}}).status, 201);
  expect_error(post_webhook(c, {{"url", "https://example.com/hook/12"}}), 400, "BAD_REQUEST_ERROR");
}

TEST(WebhookRegistration, TenEndpointLimitHoldsUnderConcurrentRequests) {
  auto server = start_server();
  constexpr int kRequests = 14;
  std::vector<int> statuses(kRequests, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kRequests; ++i) {
    threads.emplace_back([&, i] {
      auto client = server->client();
      statuses[static_cast<std::size_t>(i)] =
          post_webhook(client, {{"url", "https://example.com/c/" + std::to_string(i)}}).status;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 201), 10);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 400), kRequests - 10);
  auto c = server->client();
  EXPECT_EQ(array_of(c.get(kWebhooks, demo_auth())).size(), 10u);
}

TEST(WebhookRegistration, ListGetPatchDelete) {
  auto server = start_server();
  auto c = server->client();
  const auto first = register_webhook(c, "https://example.com/one");
  const auto second =
      register_webhook(c, "https://example.com/two", std::vector<std::string>{"payment.failed"});

  const auto list = array_of(c.get(kWebhooks, demo_auth()));
  ASSERT_EQ(list.size(), 2u);
  std::set<std::string> listed;
  for (const auto& w : list) {
    ASSERT_TRUE(w.is_object());
    expect_webhook_shape(w.as_object());
    listed.insert(str(w.as_object(), "id"));
  }
  EXPECT_EQ(listed, (std::set<std::string>{first.id, second.id}));

  const auto got = get_webhook(c, first.id);
  EXPECT_EQ(got, first.json);

  // PATCH url, events, active.
  const auto patched = patch_webhook(c, first.id,
                                     {{"url", "http://example.org/new"},
                                      {"events", json::array{"refund.processed", "refund.failed"}},
                                      {"active", false}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  const auto p = object_of(patched);
  expect_webhook_shape(p);
  EXPECT_EQ(str(p, "url"), "http://example.org/new");
  EXPECT_EQ(events_of(p), (std::set<std::string>{"refund.processed", "refund.failed"}));
  EXPECT_EQ(p.at("active"), false);
  EXPECT_EQ(str(p, "secret"), first.secret);
  EXPECT_EQ(str(p, "created_at"), str(first.json, "created_at"));
  EXPECT_EQ(get_webhook(c, first.id), p);
  // A partial PATCH changes only what it names.
  const auto reactivated = patch_webhook(c, first.id, {{"active", true}});
  ASSERT_EQ(reactivated.status, 200) << reactivated.body;
  EXPECT_EQ(str(object_of(reactivated), "url"), "http://example.org/new");
  EXPECT_EQ(object_of(reactivated).at("active"), true);
  // Invalid patches change nothing.
  expect_error(patch_webhook(c, first.id, {{"url", "ftp://example.com"}}), 400, "BAD_REQUEST_ERROR",
               "url");
  expect_error(patch_webhook(c, first.id, {{"events", json::array{"nope"}}}), 400,
               "BAD_REQUEST_ERROR", "events");
  expect_error(patch_webhook(c, first.id, {{"active", "yes"}}), 400, "BAD_REQUEST_ERROR", "active");
  EXPECT_EQ(str(get_webhook(c, first.id), "url"), "http://example.org/new");

  // DELETE.
  const auto deleted = c.request("DELETE", webhook_path(first.id), {}, demo_auth());
  EXPECT_EQ(deleted.status, 200) << deleted.body;
  expect_error(c.get(webhook_path(first.id), demo_auth()), 404, "NOT_FOUND_ERROR");
  expect_error(c.request("DELETE", webhook_path(first.id), {}, demo_auth()), 404,
               "NOT_FOUND_ERROR");
  expect_error(patch_webhook(c, first.id, {{"active", true}}), 404, "NOT_FOUND_ERROR");
  const auto after = array_of(c.get(kWebhooks, demo_auth()));
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(str(after.front().as_object(), "id"), second.id);

  expect_error(c.get(webhook_path("00000000-0000-4000-8000-000000000000"), demo_auth()), 404,
               "NOT_FOUND_ERROR");
}

TEST(WebhookRegistration, AnotherMerchantsEndpointsAndLogsAreNotFound) {
  Receiver receiver;
  auto server = start_server();
  auto c = server->client();
  const auto mine = register_webhook(c, receiver.url("/hook"));
  send_test(c, mine.id);
  ASSERT_TRUE(receiver.wait_for("/hook", 1));
  const std::string log_id = only_log_id(c, mine.id);
  wait_log_status(c, log_id, "success");

  const auto other = create_merchant(*server);
  const Headers h = other.headers();
  expect_error(c.get(webhook_path(mine.id), h), 404, "NOT_FOUND_ERROR", {}, "get");
  expect_error(c.request("PATCH", webhook_path(mine.id), R"({"active":false})", h), 404,
               "NOT_FOUND_ERROR", {}, "patch");
  expect_error(c.request("DELETE", webhook_path(mine.id), {}, h), 404, "NOT_FOUND_ERROR", {},
               "delete");
  expect_error(c.post(webhook_path(mine.id, "/rotate-secret"), "", h), 404, "NOT_FOUND_ERROR", {},
               "rotate");
  expect_error(c.post(webhook_path(mine.id, "/test"), "", h), 404, "NOT_FOUND_ERROR", {}, "test");
  expect_error(c.get(std::string(kLogs) + "/" + log_id, h), 404, "NOT_FOUND_ERROR", {}, "log");
  expect_error(c.post(std::string(kLogs) + "/" + log_id + "/retry", "", h), 404, "NOT_FOUND_ERROR",
               {}, "retry");
  EXPECT_TRUE(array_of(c.get(kWebhooks, h)).empty());
  EXPECT_TRUE(list_logs(c, "count=100", h).empty());

  // Nothing changed for the owner, and the other merchant's calls sent nothing.
  const auto still = get_webhook(c, mine.id);
  EXPECT_EQ(still, mine.json);
  EXPECT_EQ(list_logs(c).size(), 1u);
  EXPECT_EQ(receiver.count(), 1u);

  // Events go to their own merchant's endpoints only.
  const auto theirs = post_webhook(c, {{"url", receiver.url("/theirs")}}, h);
  ASSERT_EQ(theirs.status, 201) << theirs.body;
  settled_payment(c, upi(), true, "SUCCESS");
  ASSERT_TRUE(receiver.wait_for("/hook", 2));
  settled_logs(c, mine.id, 2);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(receiver.count("/theirs"), 0u);
  EXPECT_TRUE(list_logs(c, "count=100", h).empty());
}

// ================================================================ delivery

TEST(WebhookDelivery, EveryEventTypeArrivesOncePerSubscribedEndpoint) {
  Receiver receiver;
  auto server = start_server();
  auto c = server->client();
  const auto all = register_webhook(c, receiver.url("/all"));
  const auto some = register_webhook(c, receiver.url("/some"),
                                     std::vector<std::string>{"payment.captured", "refund.failed"});
  // Inactive and deleted endpoints get nothing.
  const auto inactive = register_webhook(c, receiver.url("/inactive"));
  ASSERT_EQ(patch_webhook(c, inactive.id, {{"active", false}}).status, 200);
  const auto deleted = register_webhook(c, receiver.url("/deleted"));
  ASSERT_EQ(c.request("DELETE", webhook_path(deleted.id), {}, demo_auth()).status, 200);

  // payment.success, then payment.captured by the merchant.
  const std::string merchant_paid = settled_payment(c, upi(), true, "SUCCESS");
  EXPECT_EQ(capture(c, merchant_paid).at("captured"), true);
  // Capturing again changes nothing and sends nothing.
  EXPECT_EQ(capture(c, merchant_paid).at("captured"), true);
  // payment.failed.
  const std::string failed = settled_payment(c, upi("failure@upi"), true, "FAILED");
  // payment.success and payment.captured at once (public, auto-captured), then refund.processed.
  const std::string public_paid = settled_payment(c, upi(), false, "SUCCESS");
  EXPECT_EQ(capture(c, public_paid).at("captured"), true);
  const std::string processed_refund = settled_refund(c, public_paid, "PROCESSED");
  // payment.success, payment.captured, then refund.failed.
  const std::string card_paid = settled_payment(c, card(kRefundFailingCard), false, "SUCCESS");
  const std::string failed_refund = settled_refund(c, card_paid, "FAILED");

  ASSERT_TRUE(receiver.wait_for("/all", 9)) << receiver.count("/all");
  ASSERT_TRUE(receiver.wait_for("/some", 4)) << receiver.count("/some");
  const auto all_logs = settled_logs(c, all.id, 9);
  const auto some_logs = settled_logs(c, some.id, 4);
  for (const auto& e : all_logs) {
    expect_log_shape(e.as_object());
    EXPECT_EQ(str(e.as_object(), "status"), "success") << json::serialize(e);
    EXPECT_EQ(int_of(e.as_object(), "attempts"), 1) << json::serialize(e);
    EXPECT_EQ(str(e.as_object(), "response_code"), "200") << json::serialize(e);
  }
  // Settled, so nothing more is on its way; give a stray duplicate a moment to show.
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(receiver.count("/all"), 9u);
  EXPECT_EQ(receiver.count("/some"), 4u);
  EXPECT_EQ(receiver.count("/inactive"), 0u);
  EXPECT_EQ(receiver.count("/deleted"), 0u);
  EXPECT_EQ(receiver.count(), 13u);
  EXPECT_TRUE(list_logs(c, "count=100&webhook_id=" + inactive.id).empty());

  // Every delivery verifies; each event once per endpoint.
  std::map<std::string, json::object> all_by_id;  // event id -> body
  std::multiset<std::string> all_types;
  std::map<std::string, std::string> all_signature;  // event id -> X-Signature
  for (const auto& r : receiver.requests("/all")) {
    const auto body = verify_delivery(r, all.secret, "/all");
    const std::string id = str(body, "id");
    EXPECT_FALSE(all_by_id.contains(id)) << "event delivered twice: " << r.body;
    all_by_id[id] = body;
    all_types.insert(str(body, "event"));
    all_signature[id] = r.header("X-Signature");
  }
  EXPECT_EQ(all_types,
            (std::multiset<std::string>{"payment.success", "payment.success", "payment.success",
                                        "payment.captured", "payment.captured", "payment.captured",
                                        "payment.failed", "refund.processed", "refund.failed"}));
  std::multiset<std::string> some_types;
  std::set<std::string> some_ids;
  for (const auto& r : receiver.requests("/some")) {
    const auto body = verify_delivery(r, some.secret, "/some");
    const std::string id = str(body, "id");
    EXPECT_TRUE(some_ids.insert(id).second) << "event delivered twice: " << r.body;
    some_types.insert(str(body, "event"));
    // The same event (same bytes) as /all got, signed with /some's own secret.
    ASSERT_TRUE(all_by_id.contains(id)) << r.body;
    EXPECT_EQ(json::serialize(all_by_id[id]), json::serialize(body));
    EXPECT_NE(all_signature[id], r.header("X-Signature"));
  }
  EXPECT_EQ(some_types, (std::multiset<std::string>{"payment.captured", "payment.captured",
                                                    "payment.captured", "refund.failed"}));

  // What each event carries.
  std::map<std::string, std::vector<json::object>> by_type;
  for (const auto& [id, body] : all_by_id) by_type[str(body, "event")].push_back(body);
  std::set<std::string> success_payments;
  std::int64_t merchant_success_version = 0;
  for (const auto& b : by_type["payment.success"]) {
    const auto p = data_object(b, "payment");
    EXPECT_EQ(str(p, "status"), "SUCCESS") << json::serialize(b);
    success_payments.insert(str(p, "id"));
    if (str(p, "id") == merchant_paid) {
      EXPECT_EQ(p.at("captured"), false) << json::serialize(b);
      merchant_success_version = int_of(p, "version");
    }
  }
  EXPECT_EQ(success_payments, (std::set<std::string>{merchant_paid, public_paid, card_paid}));
  std::set<std::string> captured_payments;
  for (const auto& b : by_type["payment.captured"]) {
    const auto p = data_object(b, "payment");
    EXPECT_EQ(str(p, "status"), "SUCCESS") << json::serialize(b);
    EXPECT_EQ(p.at("captured"), true) << json::serialize(b);
    captured_payments.insert(str(p, "id"));
    if (str(p, "id") == merchant_paid) {
      // The capture is a later version of the payment than its success.
      EXPECT_GT(int_of(p, "version"), merchant_success_version) << json::serialize(b);
      // And the latest: what GET shows now.
      const auto now = object_of(c.get(std::string(kPayments) + "/" + merchant_paid, demo_auth()));
      EXPECT_EQ(int_of(p, "version"), int_of(now, "version"));
    }
  }
  EXPECT_EQ(captured_payments, (std::set<std::string>{merchant_paid, public_paid, card_paid}));
  ASSERT_EQ(by_type["payment.failed"].size(), 1u);
  {
    const auto p = data_object(by_type["payment.failed"].front(), "payment");
    EXPECT_EQ(str(p, "id"), failed);
    EXPECT_EQ(str(p, "status"), "FAILED");
    EXPECT_EQ(str(p, "error_code"), "PAYMENT_FAILED");
  }
  ASSERT_EQ(by_type["refund.processed"].size(), 1u);
  {
    const auto r = data_object(by_type["refund.processed"].front(), "refund");
    EXPECT_EQ(str(r, "id"), processed_refund);
    EXPECT_EQ(str(r, "payment_id"), public_paid);
    EXPECT_EQ(str(r, "status"), "PROCESSED");
    EXPECT_EQ(int_of(r, "amount"), 50000);
  }
  ASSERT_EQ(by_type["refund.failed"].size(), 1u);
  {
    const auto r = data_object(by_type["refund.failed"].front(), "refund");
    EXPECT_EQ(str(r, "id"), failed_refund);
    EXPECT_EQ(str(r, "payment_id"), card_paid);
    EXPECT_EQ(str(r, "status"), "FAILED");
  }

  // The log names each event type as delivered.
  std::multiset<std::string> logged_types;
  for (const auto& e : all_logs) logged_types.insert(str(e.as_object(), "event_type"));
  EXPECT_EQ(logged_types, all_types);
}

TEST(WebhookDelivery, RetriesAfterAFailureUntilSuccess) {
  Receiver receiver;
  receiver.respond(
      "/flaky", {ReceiverReply{500, 0ms, {}, "try again"}, ReceiverReply{200, 0ms, {}, "thanks"}});
  auto server = start_server();
  auto c = server->client();
  const auto w = register_webhook(c, receiver.url("/flaky"));
  send_test(c, w.id);

  ASSERT_TRUE(receiver.wait_for("/flaky", 2));
  const std::string log_id = only_log_id(c, w.id);
  const auto log = wait_log_status(c, log_id, "success");
  EXPECT_EQ(int_of(log, "attempts"), 2) << json::serialize(log);
  EXPECT_EQ(str(log, "response_code"), "200") << json::serialize(log);
  EXPECT_EQ(str(log, "response_body"), "thanks") << json::serialize(log);
  EXPECT_EQ(str(log, "event_type"), "webhook.test");
  const auto attempts = attempt_log(log);
  ASSERT_EQ(attempts.size(), 2u) << json::serialize(log);
  const auto& a1 = attempts[0].as_object();
  const auto& a2 = attempts[1].as_object();
  for (const auto& a : {a1, a2}) {
    EXPECT_EQ(keys_of(a), (std::set<std::string>{"number", "attempted_at", "response_code",
                                                 "duration_ms", "error", "response_body"}))
        << json::serialize(a);
  }
  EXPECT_EQ(int_of(a1, "number"), 1);
  EXPECT_EQ(int_of(a2, "number"), 2);
  EXPECT_EQ(int_of(a1, "response_code"), 500) << json::serialize(a1);
  EXPECT_EQ(int_of(a2, "response_code"), 200) << json::serialize(a2);
  EXPECT_EQ(str(a1, "response_body"), "try again");
  EXPECT_EQ(str(a2, "response_body"), "thanks");
  EXPECT_TRUE(a2.at("error").is_null()) << json::serialize(a2);
  EXPECT_GE(int_of(a1, "duration_ms"), 0);
  EXPECT_TRUE(is_iso_micros(str(a1, "attempted_at")));
  EXPECT_LT(str(a1, "attempted_at"), str(a2, "attempted_at"));

  // The same event, the same bytes, each attempt signed afresh; the retry
  // waited for the schedule (0.3 s, -10% jitter at most).
  const auto reqs = receiver.requests("/flaky");
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].header("webhook-id"), reqs[1].header("webhook-id"));
  EXPECT_EQ(reqs[0].body, reqs[1].body);
  for (const auto& r : reqs) verify_delivery(r, w.secret, "/flaky");
  EXPECT_GE(reqs[1].received_at - reqs[0].received_at, 250ms);

  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(receiver.count("/flaky"), 2u);
}

TEST(WebhookDelivery, GoneDisablesTheEndpoint) {
  Receiver receiver;
  receiver.respond_statuses("/gone", {410});
  auto server = start_server();
  auto c = server->client();
  const auto gone = register_webhook(c, receiver.url("/gone"));
  const auto healthy = register_webhook(c, receiver.url("/hook"));

  send_test(c, gone.id);
  ASSERT_TRUE(receiver.wait_for("/gone", 1));
  const std::string log_id = only_log_id(c, gone.id);
  const auto log = wait_log_status(c, log_id, "failed");
  EXPECT_EQ(int_of(log, "attempts"), 1) << json::serialize(log);
  EXPECT_EQ(str(log, "response_code"), "410") << json::serialize(log);
  EXPECT_TRUE(eventually([&] { return get_webhook(c, gone.id).at("active") == false; }))
      << json::serialize(get_webhook(c, gone.id));
  EXPECT_EQ(get_webhook(c, healthy.id).at("active"), true);

  // Later events go to the healthy endpoint only.
  settled_payment(c, upi(), true, "SUCCESS");
  ASSERT_TRUE(receiver.wait_for("/hook", 1));
  settled_logs(c, healthy.id, 1);
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(receiver.count("/gone"), 1u);
  EXPECT_EQ(list_logs(c, "count=100&webhook_id=" + gone.id).size(), 1u);

  // Re-enabled by the merchant, it gets events again.
  ASSERT_EQ(patch_webhook(c, gone.id, {{"active", true}}).status, 200);
  receiver.respond_statuses("/gone", {200});
  settled_payment(c, upi(), true, "SUCCESS");
  ASSERT_TRUE(receiver.wait_for("/gone", 2));
  const auto body = verify_delivery(receiver.requests("/gone").back(), gone.secret, "re-enabled");
  EXPECT_EQ(str(body, "event"), "payment.success");
}

TEST(WebhookDelivery, FailsAfterTheLastScheduledAttempt) {
  Receiver receiver;
  receiver.respond_statuses("/down", {500});
  auto server = start_server();  // schedule 0.3 x 4: five attempts in all
  auto c = server->client();
  const auto down = register_webhook(c, receiver.url("/down"));
  const auto refused =
      register_webhook(c, "http://127.0.0.1:" + std::to_string(closed_port()) + "/nobody-listens");
  send_test(c, down.id);
  send_test(c, refused.id);

  const auto down_log = wait_log_status(c, only_log_id(c, down.id), "failed");
  EXPECT_EQ(int_of(down_log, "attempts"), 5) << json::serialize(down_log);
  EXPECT_EQ(str(down_log, "response_code"), "500");
  const auto down_attempts = attempt_log(down_log);
  ASSERT_EQ(down_attempts.size(), 5u);
  for (std::size_t i = 0; i < down_attempts.size(); ++i) {
    const auto& a = down_attempts[i].as_object();
    EXPECT_EQ(int_of(a, "number"), static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(int_of(a, "response_code"), 500) << json::serialize(a);
  }

  // No HTTP answer at all: a connection error, logged as such.
  const auto refused_log = wait_log_status(c, only_log_id(c, refused.id), "failed");
  EXPECT_EQ(int_of(refused_log, "attempts"), 5) << json::serialize(refused_log);
  EXPECT_TRUE(refused_log.at("response_code").is_null()) << json::serialize(refused_log);
  for (const auto& v : attempt_log(refused_log)) {
    const auto& a = v.as_object();
    EXPECT_TRUE(a.at("response_code").is_null()) << json::serialize(a);
    EXPECT_FALSE(str(a, "error").empty()) << json::serialize(a);
  }

  // Nothing after the last attempt.
  std::this_thread::sleep_for(800ms);
  EXPECT_EQ(receiver.count("/down"), 5u);
  const auto reqs = receiver.requests("/down");
  for (const auto& r : reqs) EXPECT_EQ(r.header("webhook-id"), reqs.front().header("webhook-id"));
  EXPECT_EQ(list_logs(c, "count=100&status=failed").size(), 2u);
}

TEST(WebhookDelivery, RedirectsAreNotFollowedAndAnswersAreCappedAt1KiB) {
  Receiver receiver;
  receiver.respond("/moved", ReceiverReply{302, 0ms, {{"Location", receiver.url("/hook")}}, ""});
  receiver.respond("/big", ReceiverReply{202, 0ms, {}, std::string(5000, 'x')});
  auto server = start_server({{"PAYGATE_WEBHOOK_RETRY_SCHEDULE", "0.2"}});
  auto c = server->client();
  const auto moved = register_webhook(c, receiver.url("/moved"));
  const auto big = register_webhook(c, receiver.url("/big"));
  send_test(c, moved.id);
  send_test(c, big.id);

  const auto moved_log = wait_log_status(c, only_log_id(c, moved.id), "failed");
  EXPECT_EQ(int_of(moved_log, "attempts"), 2) << json::serialize(moved_log);
  EXPECT_EQ(str(moved_log, "response_code"), "302");
  EXPECT_EQ(receiver.count("/moved"), 2u);
  EXPECT_EQ(receiver.count("/hook"), 0u);

  // Any 2xx is success; only the first KiB of the answer is kept.
  const auto big_log = wait_log_status(c, only_log_id(c, big.id), "success");
  EXPECT_EQ(str(big_log, "response_code"), "202");
  EXPECT_EQ(str(big_log, "response_body"), std::string(1024, 'x'));
  const auto attempts = attempt_log(big_log);
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(str(attempts[0].as_object(), "response_body"), std::string(1024, 'x'));
}

// An HTTP-date (IMF-fixdate) this many seconds from now.
std::string http_date(std::int64_t seconds_from_now) {
  const std::time_t t = std::time(nullptr) + seconds_from_now;
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  std::array<char, 64> b{};
  std::strftime(b.data(), b.size(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return b.data();
}

TEST(WebhookDelivery, HonoursALongerRetryAfter) {
  Receiver receiver;
  for (const auto& [path, status] : {std::pair{"/busy503", 503}, std::pair{"/busy429", 429}}) {
    receiver.respond(path, {ReceiverReply{status, 0ms, {{"Retry-After", "2"}}, "busy"},
                            ReceiverReply{200, 0ms, {}, "ok"}});
  }
  // Retry-After as an HTTP-date: 4 s from now is still at least 2 s after the first attempt.
  receiver.respond("/busydate", {ReceiverReply{503, 0ms, {{"Retry-After", http_date(4)}}, "busy"},
                                 ReceiverReply{200, 0ms, {}, "ok"}});
  auto server = start_server();  // schedule: 0.3 s
  auto c = server->client();
  const auto w503 = register_webhook(c, receiver.url("/busy503"));
  const auto w429 = register_webhook(c, receiver.url("/busy429"));
  const auto wdate = register_webhook(c, receiver.url("/busydate"));
  send_test(c, w503.id);
  send_test(c, w429.id);
  send_test(c, wdate.id);

  for (const auto& [w, path, least] :
       {std::tuple{w503, "/busy503", 1800ms}, std::tuple{w429, "/busy429", 1800ms},
        std::tuple{wdate, "/busydate", 2000ms}}) {
    ASSERT_TRUE(receiver.wait_for(path, 2, 10s)) << path;
    const auto reqs = receiver.requests(path);
    const auto gap = reqs[1].received_at - reqs[0].received_at;
    EXPECT_GE(gap, least) << path << ": retried after "
                          << std::chrono::duration_cast<std::chrono::milliseconds>(gap).count()
                          << " ms";
    EXPECT_LT(gap, 6s) << path;
    const auto log = wait_log_status(c, only_log_id(c, w.id), "success");
    EXPECT_EQ(int_of(log, "attempts"), 2) << json::serialize(log);
  }
}

TEST(WebhookDelivery, SlowReceiverDoesNotHoldUpOthers) {
  Receiver receiver;
  receiver.respond("/slow", ReceiverReply{200, 10s, {}, "late"});
  auto server = start_server({{"PAYGATE_WEBHOOK_TIMEOUT_MS", "3000"}});
  auto c = server->client();
  const auto slow = register_webhook(c, receiver.url("/slow"));
  const auto healthy = register_webhook(c, receiver.url("/hook"));

  // One event for both: the healthy endpoint has it at once.
  const auto started = Clock::now();
  settled_payment(c, upi(), true, "SUCCESS");
  ASSERT_TRUE(receiver.wait_for("/hook", 1, 3s));
  ASSERT_TRUE(receiver.wait_for("/slow", 1, 3s));
  EXPECT_LT(receiver.requests("/hook").front().received_at - started, 1500ms);

  // While /slow keeps a delivery hanging, another goes through within a second.
  const auto asked = Clock::now();
  send_test(c, healthy.id);
  ASSERT_TRUE(receiver.wait_for("/hook", 2, 3s));
  EXPECT_LT(receiver.requests("/hook")[1].received_at - asked, 1s);
  EXPECT_EQ(receiver.count("/hook"), 2u);

  // The hanging attempt ends at the timeout, logged as an error without a code.
  json::object log;
  const std::string log_id = only_log_id(c, slow.id);
  ASSERT_TRUE(eventually(
      [&] {
        log = get_log(c, log_id);
        return !attempt_log(log).empty();
      },
      8s))
      << json::serialize(log);
  const auto slow_attempts = attempt_log(log);
  ASSERT_FALSE(slow_attempts.empty());
  const auto& first = slow_attempts.front().as_object();
  EXPECT_TRUE(first.at("response_code").is_null()) << json::serialize(first);
  EXPECT_FALSE(str(first, "error").empty()) << json::serialize(first);
  EXPECT_GE(int_of(first, "duration_ms"), 2500) << json::serialize(first);
  EXPECT_LT(int_of(first, "duration_ms"), 9000) << json::serialize(first);
  EXPECT_NE(str(log, "status"), "success");
}

TEST(WebhookDelivery, ReceiverSlowerThanTheJobLeaseGetsOnePost) {
  // The answer takes four job leases: the delivery job must not be taken
  // again (and the event sent again) while its POST is still in flight.
  Receiver receiver;
  receiver.respond("/slow", ReceiverReply{200, 2000ms, {}, "late"});
  auto server =
      start_server({{"PAYGATE_WEBHOOK_TIMEOUT_MS", "4000"}, {"PAYGATE_JOB_LEASE_MS", "500"}});
  auto c = server->client();
  const auto slow = register_webhook(c, receiver.url("/slow"));
  send_test(c, slow.id);

  const auto log = wait_log_status(c, only_log_id(c, slow.id), "success");
  EXPECT_EQ(int_of(log, "attempts"), 1) << json::serialize(log);
  EXPECT_EQ(attempt_log(log).size(), 1u) << json::serialize(log);
  std::this_thread::sleep_for(600ms);
  EXPECT_EQ(receiver.count("/slow"), 1u);
}

TEST(WebhookDelivery, ManualRetrySendsTheEventAgain) {
  Receiver receiver;
  receiver.respond_statuses("/down", {500});
  auto server = start_server();
  auto c = server->client();
  const auto hook = register_webhook(c, receiver.url("/hook"));
  const auto down = register_webhook(c, receiver.url("/down"));

  // A delivered entry: sent once more, the same event.
  send_test(c, hook.id);
  const std::string ok_id = only_log_id(c, hook.id);
  wait_log_status(c, ok_id, "success");
  ASSERT_TRUE(receiver.wait_for("/hook", 1));
  const auto retried = c.post(std::string(kLogs) + "/" + ok_id + "/retry", "", demo_auth());
  ASSERT_EQ(retried.status, 200) << retried.body;
  EXPECT_EQ(retried.header("Content-Type"), "application/json");
  EXPECT_EQ(object_of(retried).at("message"), "Webhook retry queued");
  ASSERT_TRUE(receiver.wait_for("/hook", 2));
  const auto reqs = receiver.requests("/hook");
  EXPECT_EQ(reqs[1].header("webhook-id"), reqs[0].header("webhook-id"));
  EXPECT_EQ(reqs[1].body, reqs[0].body);
  verify_delivery(reqs[1], hook.secret, "retried");
  EXPECT_TRUE(eventually([&] { return int_of(get_log(c, ok_id), "attempts") == 2; }));
  EXPECT_EQ(str(get_log(c, ok_id), "status"), "success");
  EXPECT_EQ(attempt_log(get_log(c, ok_id)).size(), 2u);

  // A failed entry, once the receiver is back: a new attempt that succeeds.
  send_test(c, down.id);
  const std::string failed_id = only_log_id(c, down.id);
  wait_log_status(c, failed_id, "failed");
  EXPECT_EQ(receiver.count("/down"), 5u);
  receiver.respond_statuses("/down", {200});
  ASSERT_EQ(c.post(std::string(kLogs) + "/" + failed_id + "/retry", "", demo_auth()).status, 200);
  ASSERT_TRUE(receiver.wait_for("/down", 6));
  const auto log = wait_log_status(c, failed_id, "success");
  EXPECT_EQ(int_of(log, "attempts"), 6) << json::serialize(log);
  EXPECT_EQ(str(log, "response_code"), "200");
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(receiver.count("/down"), 6u);
  EXPECT_EQ(receiver.count("/hook"), 2u);

  expect_error(
      c.post(std::string(kLogs) + "/00000000-0000-4000-8000-000000000000/retry", "", demo_auth()),
      404, "NOT_FOUND_ERROR");
  expect_error(c.get(std::string(kLogs) + "/00000000-0000-4000-8000-000000000000", demo_auth()),
               404, "NOT_FOUND_ERROR");
}

TEST(WebhookDelivery, RotatedSecretSignsBesideTheNewOne) {
  Receiver receiver;
  auto server = start_server();
  auto c = server->client();
  const auto w = register_webhook(c, receiver.url("/hook"));
  const std::string s0 = w.secret;

  send_test(c, w.id);
  ASSERT_TRUE(receiver.wait_for("/hook", 1));
  {
    const auto r = receiver.requests("/hook")[0];
    verify_delivery(r, s0, "before rotation");
    EXPECT_EQ(split_spaces(r.header("webhook-signature")).size(), 1u);
  }

  const auto rotated = c.post(webhook_path(w.id, "/rotate-secret"), "", demo_auth());
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const auto ro = object_of(rotated);
  expect_webhook_shape(ro);
  const std::string s1 = str(ro, "secret");
  EXPECT_NE(s1, s0);
  EXPECT_EQ(str(get_webhook(c, w.id), "secret"), s1);

  send_test(c, w.id);
  ASSERT_TRUE(receiver.wait_for("/hook", 2));
  {
    const auto r = receiver.requests("/hook")[1];
    // X-Signature and X-Webhook-Signature: the new secret.
    EXPECT_EQ(r.header("X-Signature"), body_signature(s1, r.body));
    EXPECT_EQ(r.header("X-Webhook-Signature"), body_signature(s1, r.body));
    // webhook-signature: one per secret, both verifying.
    const auto sigs = split_spaces(r.header("webhook-signature"));
    EXPECT_EQ(std::set<std::string>(sigs.begin(), sigs.end()),
              (std::set<std::string>{standard_signature(s1, r), standard_signature(s0, r)}))
        << r.header("webhook-signature");
    EXPECT_EQ(sigs.size(), 2u);
  }

  // Rotated again: the newest two sign; the first is gone.
  const auto again = c.post(webhook_path(w.id, "/rotate-secret"), "", demo_auth());
  ASSERT_EQ(again.status, 200) << again.body;
  const std::string s2 = str(object_of(again), "secret");
  EXPECT_NE(s2, s1);
  send_test(c, w.id);
  ASSERT_TRUE(receiver.wait_for("/hook", 3));
  {
    const auto r = receiver.requests("/hook")[2];
    EXPECT_EQ(r.header("X-Signature"), body_signature(s2, r.body));
    const auto sigs = split_spaces(r.header("webhook-signature"));
    EXPECT_EQ(std::set<std::string>(sigs.begin(), sigs.end()),
              (std::set<std::string>{standard_signature(s2, r), standard_signature(s1, r)}))
        << r.header("webhook-signature");
  }
}

TEST(WebhookDelivery, TestEventGoesToThatEndpointOnly) {
  Receiver receiver;
  auto server = start_server();
  auto c = server->client();
  const auto a = register_webhook(c, receiver.url("/a"));
  const auto b = register_webhook(c, receiver.url("/b"), std::vector<std::string>{"refund.failed"});

  const auto res = c.post(webhook_path(a.id, "/test"), "", demo_auth());
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_TRUE(object_of(res).contains("message")) << res.body;
  ASSERT_TRUE(receiver.wait_for("/a", 1));
  const auto body = verify_delivery(receiver.requests("/a")[0], a.secret, "/a");
  EXPECT_EQ(str(body, "event"), "webhook.test");
  const std::string a_log = only_log_id(c, a.id);
  const auto log = wait_log_status(c, a_log, "success");
  EXPECT_EQ(str(log, "event_type"), "webhook.test");

  // Then /b's own test (whatever it subscribes to): by the time it arrives,
  // /a's test would long have reached /b too.
  send_test(c, b.id);
  ASSERT_TRUE(receiver.wait_for("/b", 1));
  const auto b_body = verify_delivery(receiver.requests("/b")[0], b.secret, "/b");
  EXPECT_EQ(str(b_body, "event"), "webhook.test");
  EXPECT_NE(str(b_body, "id"), str(body, "id"));
  settled_logs(c, b.id, 1);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(receiver.count("/a"), 1u);
  EXPECT_EQ(receiver.count("/b"), 1u);

  expect_error(
      c.post(webhook_path("00000000-0000-4000-8000-000000000000", "/test"), "", demo_auth()), 404,
      "NOT_FOUND_ERROR");
}

TEST(WebhookLogs, NewestFirstFilteredAndPaged) {
  Receiver receiver;
  receiver.respond_statuses("/bad", {500});
  auto server = start_server({{"PAYGATE_WEBHOOK_RETRY_SCHEDULE", "0.2"}});
  auto c = server->client();
  const auto ok = register_webhook(c, receiver.url("/ok"));
  const auto bad = register_webhook(c, receiver.url("/bad"));

  // Two auto-captured payments (success + captured each) and a failed one:
  // five events, each to both endpoints.
  settled_payment(c, upi(), false, "SUCCESS");
  settled_payment(c, upi("failure@upi"), true, "FAILED");
  settled_payment(c, upi(), false, "SUCCESS");
  settled_logs(c, ok.id, 5);
  settled_logs(c, bad.id, 5);

  const auto all = list_logs(c, "count=100");
  ASSERT_EQ(all.size(), 10u);
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& e = all[i].as_object();
    expect_log_shape(e);
    ids.push_back(str(e, "id"));
    if (i > 0) {
      EXPECT_GE(str(all[i - 1].as_object(), "created_at"), str(e, "created_at"))
          << "not newest first at " << i;
    }
  }
  // The last payment's events come first, the first payment's last.
  const std::set<std::string> paid{"payment.success", "payment.captured"};
  for (std::size_t i = 0; i < all.size(); ++i) {
    const std::string type = str(all[i].as_object(), "event_type");
    if (i < 4 || i >= 6) {
      EXPECT_TRUE(paid.contains(type)) << i << ": " << type;
    } else {
      EXPECT_EQ(type, "payment.failed") << i;
    }
  }
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 10u);

  // Filters.
  const auto of_ok = list_logs(c, "count=100&webhook_id=" + ok.id);
  ASSERT_EQ(of_ok.size(), 5u);
  for (const auto& e : of_ok) {
    EXPECT_EQ(str(e.as_object(), "webhook_id"), ok.id);
    EXPECT_EQ(str(e.as_object(), "status"), "success");
  }
  const auto failed = list_logs(c, "count=100&status=failed");
  ASSERT_EQ(failed.size(), 5u);
  for (const auto& e : failed) {
    EXPECT_EQ(str(e.as_object(), "webhook_id"), bad.id);
    EXPECT_EQ(int_of(e.as_object(), "attempts"), 2);
    EXPECT_EQ(str(e.as_object(), "response_code"), "500");
  }
  EXPECT_EQ(list_logs(c, "count=100&status=success").size(), 5u);
  EXPECT_TRUE(list_logs(c, "count=100&status=pending").empty());
  const auto payment_failed = list_logs(c, "count=100&event_type=payment.failed");
  ASSERT_EQ(payment_failed.size(), 2u);
  for (const auto& e : payment_failed) {
    EXPECT_EQ(str(e.as_object(), "event_type"), "payment.failed");
  }
  const auto combined =
      list_logs(c, "count=100&webhook_id=" + bad.id + "&event_type=payment.captured&status=failed");
  ASSERT_EQ(combined.size(), 2u);
  for (const auto& e : combined) {
    EXPECT_EQ(str(e.as_object(), "webhook_id"), bad.id);
    EXPECT_EQ(str(e.as_object(), "event_type"), "payment.captured");
  }
  EXPECT_TRUE(list_logs(c, "count=100&webhook_id=" + ok.id + "&status=failed").empty());
  EXPECT_TRUE(list_logs(c, "event_type=refund.processed").empty());

  // Paging: windows of the same newest-first list.
  auto page_ids = [&](std::string_view query) {
    std::vector<std::string> out;
    for (const auto& e : list_logs(c, query)) out.push_back(str(e.as_object(), "id"));
    return out;
  };
  EXPECT_EQ(page_ids("count=3"), std::vector<std::string>(ids.begin(), ids.begin() + 3));
  EXPECT_EQ(page_ids("count=3&skip=3"), std::vector<std::string>(ids.begin() + 3, ids.begin() + 6));
  EXPECT_EQ(page_ids("count=5&skip=8"), std::vector<std::string>(ids.begin() + 8, ids.end()));
  EXPECT_TRUE(page_ids("skip=10").empty());
  EXPECT_EQ(page_ids("").size(), 10u);  // the default page holds 10
  EXPECT_EQ(page_ids("count=2&skip=1&status=failed").size(), 2u);

  expect_error(c.get(std::string(kLogs) + "?status=bogus", demo_auth()), 400, "BAD_REQUEST_ERROR",
               "status");
  expect_error(c.get(std::string(kLogs) + "?count=0", demo_auth()), 400, "BAD_REQUEST_ERROR",
               "count");
  expect_error(c.get(std::string(kLogs) + "?skip=-1", demo_auth()), 400, "BAD_REQUEST_ERROR",
               "skip");
  expect_error(c.get(std::string(kLogs) + "?count=abc", demo_auth()), 400, "BAD_REQUEST_ERROR",
               "count");
}

// ================================================================ SSRF guard

TEST(WebhookSsrfGuard, RefusesLoopbackPrivateAndLinkLocalOutsideTestSetup) {
  Receiver receiver;
  auto server = start_server(
      {{"PAYGATE_WEBHOOK_ALLOW_PRIVATE", "0"}, {"PAYGATE_WEBHOOK_RETRY_SCHEDULE", "0.1,0.1"}});
  auto c = server->client();
  const std::string port = std::to_string(receiver.port());
  // URL -> the addresses behind it, which the operator's log names (any of)
  // and the merchant's webhook log must not (none of).
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases{
      {receiver.url("/hook"), {"127.0.0.1"}},
      {"http://10.0.0.1/hook", {"10.0.0.1"}},
      {"http://169.254.169.254/latest", {"169.254.169.254"}},
      {"http://localhost:" + port + "/hook", {"127.0.0.1", "::1"}},
      {"http://127.1:" + port + "/hook", {"127.0.0.1"}},
      {"http://0.0.0.0:" + port + "/hook", {"0.0.0.0"}},
      {"http://[::1]:" + port + "/hook", {"::1"}},
      {"http://[::ffff:127.0.0.1]:" + port + "/hook", {"127.0.0.1"}},
      {"http://[2002:7f00:1::1]:" + port + "/hook", {"2002:7f00:1::1"}},
  };
  std::vector<std::string> ids;
  for (const auto& [url, names] : cases) {
    // Registration takes them: the guard works at delivery.
    ids.push_back(register_webhook(c, url).id);
    send_test(c, ids.back());
  }
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& [url, names] = cases[i];
    const auto log = wait_log_status(c, only_log_id(c, ids[i]), "failed");
    EXPECT_EQ(int_of(log, "attempts"), 3) << url << ": " << json::serialize(log);
    EXPECT_TRUE(log.at("response_code").is_null()) << url << ": " << json::serialize(log);
    EXPECT_EQ(str(log, "response_body"), "destination not allowed") << json::serialize(log);
    const auto attempts = attempt_log(log);
    EXPECT_EQ(attempts.size(), 3u) << url;
    for (const auto& v : attempts) {
      const auto& a = v.as_object();
      EXPECT_EQ(str(a, "error"), "destination not allowed") << url << ": " << json::serialize(a);
      EXPECT_TRUE(a.at("response_code").is_null()) << url << ": " << json::serialize(a);
    }
    // The merchant learns nothing of the operator's network ...
    const auto as_merchant = c.get(std::string(kLogs) + "/" + only_log_id(c, ids[i]), demo_auth());
    for (const auto& n : names) EXPECT_FALSE(contains(as_merchant.body, n)) << as_merchant.body;
    // ... the operator's log says which address was refused.
    bool named = false;
    const std::string operator_log = server->log();
    for (const auto& n : names) {
      named = named || contains(operator_log, "refused to deliver to " + n);
    }
    EXPECT_TRUE(named) << url;
  }
  EXPECT_EQ(receiver.count(), 0u);
}

// A proxy from the environment would resolve the host again, past the
// checked and pinned addresses: libcurl must not take one.
TEST(WebhookSsrfGuard, ProxyFromTheEnvironmentIsNotUsed) {
  Receiver receiver;
  const std::string nowhere = "http://127.0.0.1:" + std::to_string(closed_port());
  auto server = start_server({{"http_proxy", nowhere},
                              {"HTTP_PROXY", nowhere},
                              {"https_proxy", nowhere},
                              {"ALL_PROXY", nowhere},
                              {"all_proxy", nowhere}});
  auto c = server->client();
  const auto w = register_webhook(c, receiver.url("/direct"));
  send_test(c, w.id);
  EXPECT_TRUE(receiver.wait_for("/direct", 1));
  const auto log = wait_log_status(c, only_log_id(c, w.id), "success");
  EXPECT_EQ(int_of(log, "attempts"), 1) << json::serialize(log);
}

TEST(WebhookSsrfGuard, TestModeDeliversToLoopbackByNameOrLiteral) {
  // The default in test mode; and the address checks (and pinning) must not
  // break hosts given by name or as IPv4 / IPv6 literals.
  Receiver receiver;
  auto server = start_server();
  auto c = server->client();
  const std::string port = std::to_string(receiver.port());
  const std::vector<std::pair<std::string, std::string>> cases{
      {"/literal", receiver.url("/literal")},
      {"/name", "http://localhost:" + port + "/name"},
      {"/short", "http://127.1:" + port + "/short"},
      {"/mapped", "http://[::ffff:127.0.0.1]:" + port + "/mapped"},
      {"/upper", "HTTP://127.0.0.1:" + port + "/upper"},
  };
  for (const auto& [path, url] : cases) {
    const auto w = register_webhook(c, url);
    send_test(c, w.id);
    EXPECT_TRUE(receiver.wait_for(path, 1)) << url;
    const auto log = wait_log_status(c, only_log_id(c, w.id), "success");
    EXPECT_EQ(int_of(log, "attempts"), 1) << url << ": " << json::serialize(log);
    if (receiver.count(path) > 0) verify_delivery(receiver.requests(path)[0], w.secret, url);
  }
}

// ================================================================ crash recovery

TEST(WebhookRecovery, PendingDeliveriesSurviveAKill) {
  Receiver receiver;
  receiver.respond_statuses("/hook", {500});
  auto server = start_server(
      {{"PAYGATE_WEBHOOK_RETRY_SCHEDULE", "1,1,1,1,1"}, {"PAYGATE_JOB_LEASE_MS", "2000"}});
  auto c = server->client();
  const auto w = register_webhook(c, receiver.url("/hook"));
  send_test(c, w.id);
  ASSERT_TRUE(receiver.wait_for("/hook", 1));
  const std::string event_id = receiver.requests("/hook")[0].header("webhook-id");
  ASSERT_TRUE(is_event_id(event_id)) << event_id;
  // The failed attempt is recorded and the next one scheduled: kill now.
  const std::string log_id = only_log_id(c, w.id);
  ASSERT_TRUE(eventually([&] { return int_of(get_log(c, log_id), "attempts") >= 1; }));

  server->restart();  // SIGKILL, then start again on the same database
  const auto restarted = Clock::now();
  receiver.respond_statuses("/hook", {200});
  c = server->client();

  const auto log = wait_log_status(c, log_id, "success", 15s);
  EXPECT_GE(int_of(log, "attempts"), 2) << json::serialize(log);
  const auto reqs = receiver.requests("/hook");
  for (const auto& r : reqs) {
    EXPECT_EQ(r.header("webhook-id"), event_id);
    verify_delivery(r, w.secret, "after restart");
  }
  ASSERT_GE(reqs.size(), 2u);
  EXPECT_GE(reqs.back().received_at, restarted);
}

TEST(WebhookRecovery, KilledDuringThePostIsSentAgain) {
  // The receiver has the event but the server dies before it hears back: the
  // delivery is not lost, and it comes again with the same webhook-id.
  Receiver receiver;
  receiver.respond("/hook", ReceiverReply{200, 1500ms, {}, "slow"});
  auto server =
      start_server({{"PAYGATE_WEBHOOK_TIMEOUT_MS", "2000"}, {"PAYGATE_JOB_LEASE_MS", "1000"}});
  auto c = server->client();
  const auto w = register_webhook(c, receiver.url("/hook"));
  send_test(c, w.id);
  ASSERT_TRUE(receiver.wait_for("/hook", 1));
  server->restart();
  const auto restarted = Clock::now();
  receiver.respond("/hook", ReceiverReply{200, 0ms, {}, "ok"});
  c = server->client();

  // Taken again once its hold on the job runs out (about 2 x 2 s + 5 s).
  const auto log = wait_log_status(c, only_log_id(c, w.id), "success", 20s);
  EXPECT_EQ(str(log, "response_body"), "ok") << json::serialize(log);
  const auto reqs = receiver.requests("/hook");
  ASSERT_GE(reqs.size(), 2u);
  EXPECT_EQ(reqs[1].header("webhook-id"), reqs[0].header("webhook-id"));
  EXPECT_EQ(reqs[1].body, reqs[0].body);
  EXPECT_GE(reqs[1].received_at, restarted);
}

}  // namespace
}  // namespace paygate::test
