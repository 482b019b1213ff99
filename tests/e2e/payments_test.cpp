// The Payments endpoints and the job queue behind them, end to end: create in
// every body shape, every validation error, the simulated processor's test
// instruments, capture, public (checkout) payments, listing, concurrency, card
// data hygiene, and the durable job queue (separate workers, crash recovery,
// reconciliation).
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <ctime>
#include <future>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"

namespace paygate::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::string_view kOrders = "/api/v1/orders";
constexpr std::string_view kPayments = "/api/v1/payments";
constexpr std::string_view kPublicPayments = "/api/v1/payments/public";
constexpr std::string_view kJobsStatus = "/api/v1/test/jobs/status";
constexpr std::string_view kJobsEnqueue = "/api/v1/test/jobs/enqueue";
constexpr const char* kDemoMerchantId = "mrc_testmerchant0001";

// ---------------------------------------------------------------- helpers

bool matches(std::string_view s, const std::regex& re) {
  return std::regex_match(s.begin(), s.end(), re);
}

bool is_payment_id(std::string_view id) {
  static const std::regex re("^pay_[A-Za-z0-9]{16}$");
  return matches(id, re);
}

// Microseconds since the epoch of an ISO 8601 UTC timestamp with microseconds.
std::int64_t unix_micros(std::string_view ts) {
  std::tm tm{};
  const std::string s(ts);
  if (s.size() < 27 || ::strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) {
    ADD_FAILURE() << "not a timestamp: " << ts;
    return 0;
  }
  return static_cast<std::int64_t>(::timegm(&tm)) * 1'000'000 + std::stoll(s.substr(20, 6));
}

// A card expiry year that is safely in the future, as four digits.
std::string future_year() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  return std::to_string(tm.tm_year + 1900 + 4);
}

std::string create_order(HttpClient& c, std::int64_t amount = 50000,
                         std::string_view currency = "INR", const Headers& headers = demo_auth()) {
  json::object body{{"amount", amount}, {"currency", currency}};
  const auto res = c.post(kOrders, json::serialize(body), headers);
  EXPECT_EQ(res.status, 201) << res.body;
  if (res.status != 201) return {};
  return str(object_of(res).at("id"));
}

json::object get_order(HttpClient& c, std::string_view id, const Headers& headers = demo_auth()) {
  const auto res = c.get(std::string(kOrders) + "/" + std::string(id), headers);
  EXPECT_EQ(res.status, 200) << res.body;
  return object_of(res);
}

std::string order_status(HttpClient& c, std::string_view id) {
  const auto o = get_order(c, id);
  return o.contains("status") ? str(o.at("status")) : "";
}

json::object upi(std::string_view order_id, std::string_view vpa = "success@upi") {
  return {{"order_id", order_id}, {"method", "upi"}, {"vpa", vpa}};
}

// The nested shape: card: {number, expiry_month, expiry_year, cvv}.
json::object nested_card(std::string_view order_id, json::value number,
                         json::value cvv = json::value("123"), json::value month = "12",
                         json::value year = json::value()) {
  json::object card{{"number", std::move(number)},
                    {"expiry_month", std::move(month)},
                    {"expiry_year", year.is_null() ? json::value(future_year()) : year},
                    {"cvv", std::move(cvv)}};
  return {{"order_id", order_id}, {"method", "card"}, {"card", std::move(card)}};
}

// The document's flat shape: card_number, expiry_month, expiry_year, cvv.
json::object flat_card(std::string_view order_id, json::value number,
                       json::value cvv = json::value("123"), json::value month = "12",
                       json::value year = json::value()) {
  return {{"order_id", order_id},
          {"method", "card"},
          {"card_number", std::move(number)},
          {"expiry_month", std::move(month)},
          {"expiry_year", year.is_null() ? json::value(future_year()) : year},
          {"cvv", std::move(cvv)}};
}

HttpResponse pay(HttpClient& c, const json::object& body, const Headers& headers = demo_auth()) {
  return c.post(kPayments, json::serialize(body), headers);
}

// Creates a payment that must be accepted; its id ("" on failure).
std::string pay_ok(HttpClient& c, const json::object& body, const Headers& headers = demo_auth()) {
  const auto res = pay(c, body, headers);
  EXPECT_EQ(res.status, 201) << json::serialize(body) << " -> " << res.body;
  if (res.status != 201) return {};
  return str(object_of(res).at("id"));
}

std::string payment_path(std::string_view id) {
  return std::string(kPayments) + "/" + std::string(id);
}

json::object get_payment(HttpClient& c, std::string_view id, const Headers& headers = demo_auth()) {
  const auto res = c.get(payment_path(id), headers);
  EXPECT_EQ(res.status, 200) << res.body;
  if (res.status != 200) return {};
  return object_of(res);
}

bool is_final(const json::object& p) {
  return p.contains("status") && (p.at("status") == "SUCCESS" || p.at("status") == "FAILED");
}

// Polls GET /payments/{id} until the payment has a final status; the last object seen.
json::object wait_final(HttpClient& c, std::string_view id, std::chrono::milliseconds timeout = 10s,
                        const Headers& headers = demo_auth()) {
  json::object last;
  const bool done = eventually(
      [&] {
        last = get_payment(c, id, headers);
        return is_final(last);
      },
      timeout);
  EXPECT_TRUE(done) << "payment " << id << " not final: " << json::serialize(last);
  return last;
}

HttpResponse capture(HttpClient& c, std::string_view id, std::string_view body = "{}",
                     const Headers& headers = demo_auth()) {
  return c.post(payment_path(id) + "/capture", body, headers);
}

json::object jobs_status(HttpClient& c) {
  const auto res = c.get(kJobsStatus);
  EXPECT_EQ(res.status, 200) << res.body;
  return object_of(res);
}

std::int64_t count_of(const json::object& o, std::string_view key) {
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
  EXPECT_TRUE(error.at("description").is_string()) << what;
  EXPECT_FALSE(str(error.at("description")).empty()) << what;
  if (!field.empty()) {
    ASSERT_TRUE(error.contains("field")) << what << ": " << res.body;
    EXPECT_EQ(str(error.at("field")), field) << what << ": " << res.body;
  }
}

// Checks every field of a payment object with its type, and that no card
// number, CVV or expiry is in it.
void expect_payment_shape(const json::object& p, std::string_view method) {
  for (const char* key :
       {"id", "order_id", "merchant_id", "amount", "currency", "method", "status", "captured",
        "error_code", "error_description", "created_at", "updated_at"}) {
    EXPECT_TRUE(p.contains(key)) << "missing " << key << " in " << json::serialize(p);
  }
  if (!p.contains("id") || !p.contains("created_at") || !p.contains("updated_at") ||
      !p.contains("captured") || !p.contains("error_code") || !p.contains("error_description")) {
    return;
  }
  EXPECT_TRUE(is_payment_id(str(p.at("id")))) << p.at("id");
  EXPECT_TRUE(p.at("order_id").is_string());
  EXPECT_TRUE(p.at("merchant_id").is_string());
  EXPECT_TRUE(p.at("amount").is_int64()) << p.at("amount");
  EXPECT_TRUE(p.at("currency").is_string());
  EXPECT_EQ(str(p.at("method")), method);
  EXPECT_TRUE(p.at("status").is_string());
  EXPECT_TRUE(p.at("captured").is_bool());
  EXPECT_TRUE(p.at("error_code").is_null() || p.at("error_code").is_string());
  EXPECT_TRUE(p.at("error_description").is_null() || p.at("error_description").is_string());
  EXPECT_TRUE(is_iso_micros(str(p.at("created_at")))) << p.at("created_at");
  EXPECT_TRUE(is_iso_micros(str(p.at("updated_at")))) << p.at("updated_at");
  if (method == "upi") {
    EXPECT_TRUE(p.contains("vpa") && p.at("vpa").is_string()) << json::serialize(p);
    EXPECT_FALSE(p.contains("card_network"));
    EXPECT_FALSE(p.contains("card_last4"));
  } else {
    EXPECT_TRUE(p.contains("card_network") && p.at("card_network").is_string())
        << json::serialize(p);
    EXPECT_TRUE(p.contains("card_last4") && p.at("card_last4").is_string()) << json::serialize(p);
    EXPECT_FALSE(p.contains("vpa"));
  }
  for (const char* key :
       {"card", "card_number", "number", "cvv", "expiry_month", "expiry_year", "card_expiry_month",
        "card_expiry_year", "card_fingerprint", "fingerprint", "capture_requested"}) {
    EXPECT_FALSE(p.contains(key)) << key << " must not be in " << json::serialize(p);
  }
}

std::vector<json::object> items_of(const HttpResponse& res) {
  std::vector<json::object> items;
  const auto body = object_of(res);
  if (!body.contains("items") || !body.at("items").is_array()) {
    ADD_FAILURE() << "no items: " << res.body;
    return items;
  }
  for (const auto& item : body.at("items").as_array()) items.push_back(item.as_object());
  return items;
}

std::vector<json::object> payments_of_order(HttpClient& c, std::string_view order_id) {
  const auto res =
      c.get(std::string(kPayments) + "?count=100&order_id=" + std::string(order_id), demo_auth());
  EXPECT_EQ(res.status, 200) << res.body;
  return items_of(res);
}

// Creates n orders, one payment of success@upi on each, with `threads`
// clients in parallel; the payment ids in order of the orders.
std::vector<std::string> create_upi_payments(const TestServer& server, int n, int threads) {
  std::vector<std::string> ids(static_cast<std::size_t>(n));
  std::atomic<int> next{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      auto c = server.client();
      for (int i = next++; i < n; i = next++) {
        const std::string order = create_order(c);
        ids[static_cast<std::size_t>(i)] = pay_ok(c, upi(order));
      }
    });
  }
  for (auto& w : workers) w.join();
  return ids;
}

// Polls until every payment in ids has a final status; the final objects by id.
std::map<std::string, json::object> wait_all_final(const TestServer& server,
                                                   const std::vector<std::string>& ids,
                                                   std::chrono::milliseconds timeout) {
  std::map<std::string, json::object> done;
  auto c = server.client();
  std::set<std::string> pending(ids.begin(), ids.end());
  eventually(
      [&] {
        for (auto it = pending.begin(); it != pending.end();) {
          const auto res = c.get(payment_path(*it), demo_auth());
          if (res.status == 200) {
            auto p = object_of(res);
            if (is_final(p)) {
              done[*it] = std::move(p);
              it = pending.erase(it);
              continue;
            }
          }
          ++it;
        }
        return pending.empty();
      },
      timeout);
  EXPECT_TRUE(pending.empty()) << pending.size() << " of " << ids.size()
                               << " payments did not reach a final status, e.g. "
                               << (pending.empty() ? "" : *pending.begin());
  return done;
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

ServerOptions with_env(std::map<std::string, std::string> env) {
  ServerOptions o;
  o.env = std::move(env);
  return o;
}

ServerOptions with_args(std::vector<std::string> args,
                        std::map<std::string, std::string> env = {}) {
  ServerOptions o;
  o.args = std::move(args);
  o.env = std::move(env);
  return o;
}

// ---------------------------------------------------------------- create

TEST(PaymentsCreate, UpiAnswers201WithEveryField) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string order = create_order(c, 50000);
  const auto res = pay(c, upi(order, "user@upi"));
  ASSERT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(res.header("Content-Type"), "application/json");
  const auto p = object_of(res);
  expect_payment_shape(p, "upi");
  EXPECT_EQ(str(p.at("order_id")), order);
  EXPECT_EQ(p.at("merchant_id"), kDemoMerchantId);
  EXPECT_EQ(p.at("amount").as_int64(), 50000);
  EXPECT_EQ(p.at("currency"), "INR");
  EXPECT_EQ(p.at("method"), "upi");
  EXPECT_EQ(p.at("status"), "CREATED");
  EXPECT_EQ(p.at("captured"), false);
  EXPECT_TRUE(p.at("error_code").is_null());
  EXPECT_TRUE(p.at("error_description").is_null());
  EXPECT_EQ(p.at("vpa"), "user@upi");
  EXPECT_EQ(p.at("created_at"), p.at("updated_at"));

  // GET answers the same payment.
  const auto got = get_payment(c, str(p.at("id")));
  expect_payment_shape(got, "upi");
  EXPECT_EQ(got.at("id"), p.at("id"));
  EXPECT_EQ(got.at("created_at"), p.at("created_at"));
  EXPECT_EQ(got.at("vpa"), "user@upi");
}

TEST(PaymentsCreate, AmountAndCurrencyComeFromTheOrder) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string order = create_order(c, 12345, "USD");
  const auto p = object_of(pay(c, upi(order)));
  EXPECT_EQ(p.at("amount").as_int64(), 12345);
  EXPECT_EQ(p.at("currency"), "USD");
  // An amount and currency equal to the order's are accepted.
  const std::string order2 = create_order(c, 777, "EUR");
  auto body = upi(order2);
  body["amount"] = 777;
  body["currency"] = "EUR";
  const auto res = pay(c, body);
  ASSERT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(object_of(res).at("amount").as_int64(), 777);
  EXPECT_EQ(object_of(res).at("currency"), "EUR");
}

TEST(PaymentsCreate, NestedCardWithStringFields) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string order = create_order(c, 50000);
  auto body = nested_card(order, "4111111111111111", "123", "12");
  body["card"].as_object()["name"] = "A Customer";
  const auto res = pay(c, body);
  ASSERT_EQ(res.status, 201) << res.body;
  const auto p = object_of(res);
  expect_payment_shape(p, "card");
  EXPECT_EQ(str(p.at("order_id")), order);
  EXPECT_EQ(p.at("merchant_id"), kDemoMerchantId);
  EXPECT_EQ(p.at("amount").as_int64(), 50000);
  EXPECT_EQ(p.at("currency"), "INR");
  EXPECT_EQ(p.at("status"), "CREATED");
  EXPECT_EQ(p.at("captured"), false);
  EXPECT_TRUE(p.at("error_code").is_null());
  EXPECT_TRUE(p.at("error_description").is_null());
  EXPECT_EQ(p.at("card_network"), "visa");
  EXPECT_EQ(p.at("card_last4"), "1111");
  EXPECT_FALSE(contains(res.body, "4111111111111111")) << res.body;
  EXPECT_FALSE(contains(res.body, "A Customer")) << res.body;
}

TEST(PaymentsCreate, FlatCardWithStringFields) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string order = create_order(c);
  const auto res = pay(c, flat_card(order, "5555555555554444", "321", "01"));
  ASSERT_EQ(res.status, 201) << res.body;
  const auto p = object_of(res);
  expect_payment_shape(p, "card");
  EXPECT_EQ(p.at("status"), "CREATED");
  EXPECT_EQ(p.at("card_network"), "mastercard");
  EXPECT_EQ(p.at("card_last4"), "4444");
  EXPECT_FALSE(contains(res.body, "5555555555554444")) << res.body;
}

TEST(PaymentsCreate, CardFieldsAsJsonNumbers) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::int64_t year = std::stoll(future_year());
  // The document's example: flat, expiry as numbers.
  const auto flat = pay(c, flat_card(create_order(c), std::int64_t{4111111111111111},
                                     std::int64_t{123}, std::int64_t{12}, year));
  ASSERT_EQ(flat.status, 201) << flat.body;
  EXPECT_EQ(object_of(flat).at("card_last4"), "1111");
  EXPECT_EQ(object_of(flat).at("card_network"), "visa");
  const auto nested = pay(c, nested_card(create_order(c), std::int64_t{5555555555554444},
                                         std::int64_t{456}, std::int64_t{3}, year));
  ASSERT_EQ(nested.status, 201) << nested.body;
  EXPECT_EQ(object_of(nested).at("card_last4"), "4444");
  EXPECT_EQ(object_of(nested).at("card_network"), "mastercard");
  // A two-digit year as a number.
  const auto two = pay(c, nested_card(create_order(c), "4111111111111111", "123", std::int64_t{12},
                                      std::int64_t{year % 100}));
  EXPECT_EQ(two.status, 201) << two.body;
}

TEST(PaymentsCreate, SpacesAndDashesInTheNumberAreIgnored) {
  auto server = TestServer::start();
  auto c = server->client();
  for (const char* number : {"4111 1111 1111 1111", "4111-1111-1111-1111", "4111 1111-1111 1111"}) {
    for (const bool nested : {true, false}) {
      const std::string order = create_order(c);
      const auto res = pay(c, nested ? nested_card(order, number) : flat_card(order, number));
      ASSERT_EQ(res.status, 201) << number << ": " << res.body;
      const auto p = object_of(res);
      EXPECT_EQ(p.at("card_last4"), "1111") << number;
      EXPECT_EQ(p.at("card_network"), "visa") << number;
      EXPECT_FALSE(contains(res.body, "1111 1111")) << res.body;
      EXPECT_FALSE(contains(res.body, "1111-1111")) << res.body;
    }
  }
}

TEST(PaymentsCreate, CardNetworkFromTheNumber) {
  auto server = TestServer::start();
  auto c = server->client();
  struct Case {
    const char* number;
    const char* cvv;
    const char* network;
  };
  const Case cases[] = {
      {"4242424242424242", "123", "visa"},       {"5105105105105100", "123", "mastercard"},
      {"2221000000000009", "123", "mastercard"}, {"378282246310005", "1234", "amex"},
      {"371449635398431", "9876", "amex"},       {"6011111111111117", "123", "discover"},
      {"6445644564456445", "123", "discover"},   {"30569309025904", "123", "diners"},
      {"36227206271667", "123", "diners"},       {"6521000000000007", "123", "rupay"},
      {"5080000000000002", "123", "rupay"},      {"9000000000000001", "123", "unknown"},
  };
  for (const auto& k : cases) {
    const auto res = pay(c, nested_card(create_order(c), k.number, k.cvv));
    ASSERT_EQ(res.status, 201) << k.number << ": " << res.body;
    const auto p = object_of(res);
    EXPECT_EQ(str(p.at("card_network")), k.network) << k.number;
    const std::string n(k.number);
    EXPECT_EQ(str(p.at("card_last4")), n.substr(n.size() - 4)) << k.number;
  }
}

TEST(PaymentsCreate, UnknownFieldsAreIgnored) {
  auto server = TestServer::start();
  auto c = server->client();
  auto body = upi(create_order(c));
  body["extra"] = json::object{{"a", 1}};
  body["key_id"] = "whatever";
  EXPECT_EQ(pay(c, body).status, 201);
}

// ---------------------------------------------------------------- validation

TEST(PaymentsValidation, InvalidCard) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string order = create_order(c);
  struct Case {
    const char* number;
    const char* cvv;
    const char* nested_field;
    const char* flat_field;
    const char* what;
  };
  const Case cases[] = {
      {"4111111111111112", "123", "card.number", "card_number", "bad Luhn"},
      {"4242424242424241", "123", "card.number", "card_number", "bad Luhn"},
      {"41111111110", "123", "card.number", "card_number", "11 digits"},
      {"411111111111111111113", "123", "card.number", "card_number", "21 digits"},
      {"4111abcd11111111", "123", "card.number", "card_number", "letters"},
      {"", "123", "card.number", "card_number", "empty"},
      {"4111111111111111", "12", "card.cvv", "cvv", "2-digit cvv"},
      {"4111111111111111", "1234", "card.cvv", "cvv", "4-digit cvv on visa"},
      {"4111111111111111", "12a", "card.cvv", "cvv", "letters in cvv"},
      {"378282246310005", "123", "card.cvv", "cvv", "3-digit cvv on amex"},
  };
  for (const auto& k : cases) {
    expect_error(pay(c, nested_card(order, k.number, k.cvv)), 400, "INVALID_CARD", k.nested_field,
                 std::string("nested ") + k.what);
    expect_error(pay(c, flat_card(order, k.number, k.cvv)), 400, "INVALID_CARD", k.flat_field,
                 std::string("flat ") + k.what);
  }
  // Nothing was created, and the order was not touched.
  EXPECT_TRUE(payments_of_order(c, order).empty());
  EXPECT_EQ(order_status(c, order), "created");
}

TEST(PaymentsValidation, ExpiredCard) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string order = create_order(c);
  const auto past = pay(c, nested_card(order, "4111111111111111", "123", "12", "2020"));
  expect_error(past, 400, "EXPIRED_CARD", "card.expiry_year", "past year");
  expect_error(pay(c, flat_card(order, "4111111111111111", "123", "01", "2021")), 400,
               "EXPIRED_CARD", "expiry_year", "flat past year");
  expect_error(pay(c, nested_card(order, "4111111111111111", "123", "13")), 400, "EXPIRED_CARD",
               "card.expiry_month", "month 13");
  expect_error(pay(c, flat_card(order, "4111111111111111", "123", std::int64_t{13})), 400,
               "EXPIRED_CARD", "expiry_month", "flat month 13");
  expect_error(pay(c, nested_card(order, "4111111111111111", "123", "0")), 400, "EXPIRED_CARD",
               "card.expiry_month", "month 0");
  // Last month of this year.
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  if (tm.tm_mon > 0) {
    expect_error(
        pay(c, nested_card(order, "4111111111111111", "123", json::value(std::to_string(tm.tm_mon)),
                           json::value(std::to_string(tm.tm_year + 1900)))),
        400, "EXPIRED_CARD", "card.expiry_year", "last month");
  }
  // A month out of range is EXPIRED_CARD also when it comes as a (negative) JSON number.
  expect_error(pay(c, nested_card(order, "4111111111111111", "123", std::int64_t{-1})), 400,
               "EXPIRED_CARD", "card.expiry_month", "month -1 as a number");
  expect_error(pay(c, flat_card(order, "4111111111111111", "123", std::int64_t{-3})), 400,
               "EXPIRED_CARD", "expiry_month", "flat month -3 as a number");
  expect_error(pay(c, nested_card(order, "4111111111111111", "-123")), 400, "INVALID_CARD",
               "card.cvv", "cvv -123 as a string");
  expect_error(pay(c, nested_card(order, "4111111111111111", std::int64_t{-123})), 400,
               "INVALID_CARD", "card.cvv", "cvv -123 as a number");
  const auto negative_number = pay(c, nested_card(order, std::int64_t{-4111111111111111}));
  EXPECT_EQ(negative_number.status, 400) << negative_number.body;
  EXPECT_TRUE(contains(negative_number.body, R"("field":"card.number")")) << negative_number.body;
  // This month still passes.
  EXPECT_EQ(pay(c, nested_card(order, "4111111111111111", "123",
                               json::value(std::to_string(tm.tm_mon + 1)),
                               json::value(std::to_string(tm.tm_year + 1900))))
                .status,
            201);
}

TEST(PaymentsValidation, InvalidVpa) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string order = create_order(c);
  for (const std::string& vpa :
       std::vector<std::string>{"userupi", "user@@upi", "a@b@c", "@upi", "user@", "user name@upi",
                                "user@up-i", "user@up.i", "", std::string(300, 'a') + "@upi"}) {
    expect_error(pay(c, upi(order, vpa)), 400, "INVALID_VPA", "vpa", vpa);
  }
  EXPECT_TRUE(payments_of_order(c, order).empty());
  EXPECT_EQ(pay(c, upi(order, "a.b_c-d@bank1")).status, 201);
}

TEST(PaymentsValidation, BadRequests) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string order = create_order(c, 50000, "INR");
  const auto bad = [&](const json::object& body, std::string_view field, std::string_view what) {
    expect_error(pay(c, body), 400, "BAD_REQUEST_ERROR", field, what);
  };
  bad({{"method", "upi"}, {"vpa", "success@upi"}}, "order_id", "missing order_id");
  bad({{"order_id", ""}, {"method", "upi"}, {"vpa", "success@upi"}}, "order_id", "empty order_id");
  bad({{"order_id", 42}, {"method", "upi"}, {"vpa", "success@upi"}}, "order_id",
      "numeric order_id");
  bad({{"order_id", order}, {"vpa", "success@upi"}}, "method", "missing method");
  bad({{"order_id", order}, {"method", "netbanking"}, {"vpa", "success@upi"}}, "method",
      "unknown method");
  bad({{"order_id", order}, {"method", "UPI"}, {"vpa", "success@upi"}}, "method",
      "method is case-sensitive");
  bad({{"order_id", order}, {"method", "card"}}, "card", "missing card");
  bad({{"order_id", order}, {"method", "upi"}}, "vpa", "missing vpa");
  bad({{"order_id", order}, {"method", "upi"}, {"vpa", 5}}, "vpa", "numeric vpa");
  auto amount = upi(order);
  amount["amount"] = 49999;
  bad(amount, "amount", "amount not the order's");
  amount["amount"] = "50000";
  bad(amount, "amount", "amount as a string");
  auto currency = upi(order);
  currency["currency"] = "USD";
  bad(currency, "currency", "currency not the order's");
  auto missing_cvv = nested_card(order, "4111111111111111");
  missing_cvv["card"].as_object().erase("cvv");
  bad(missing_cvv, "card.cvv", "nested card without cvv");
  auto flat_missing = flat_card(order, "4111111111111111");
  flat_missing.erase("expiry_month");
  bad(flat_missing, "expiry_month", "flat card without expiry_month");
  auto not_object = upi(order);
  not_object["method"] = "card";
  not_object["card"] = "4111111111111111";
  bad(not_object, "card", "card not an object");

  expect_error(c.post(kPayments, "{not json", demo_auth()), 400, "BAD_REQUEST_ERROR", {},
               "malformed JSON");
  expect_error(c.post(kPayments, "[1,2]", demo_auth()), 400, "BAD_REQUEST_ERROR", {},
               "not an object");

  // No payment was created and the order is still new.
  EXPECT_TRUE(payments_of_order(c, order).empty());
  EXPECT_EQ(order_status(c, order), "created");
}

// ---------------------------------------------------------------- isolation

TEST(PaymentsIsolation, UnknownOrderIs404) {
  auto server = TestServer::start();
  auto c = server->client();
  expect_error(pay(c, upi("order_AAAAAAAAAAAAAAAA")), 404, "NOT_FOUND_ERROR", {}, "unknown order");
  expect_error(pay(c, nested_card("order_doesnotexist00", "4111111111111111")), 404,
               "NOT_FOUND_ERROR", {}, "unknown order, card");
  expect_error(c.get(payment_path("pay_AAAAAAAAAAAAAAAA"), demo_auth()), 404, "NOT_FOUND_ERROR", {},
               "unknown payment");
  expect_error(capture(c, "pay_AAAAAAAAAAAAAAAA"), 404, "NOT_FOUND_ERROR", {},
               "capture unknown payment");
}

TEST(PaymentsIsolation, CredentialsAreRequired) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string order = create_order(c);
  const std::string id = pay_ok(c, upi(order));
  expect_error(pay(c, upi(order), {}), 401, "AUTHENTICATION_ERROR", {}, "no credentials");
  expect_error(pay(c, upi(order), auth(kDemoKey, "secret_wrong")), 401, "AUTHENTICATION_ERROR", {},
               "wrong secret");
  expect_error(c.get(payment_path(id)), 401, "AUTHENTICATION_ERROR", {}, "GET without auth");
  expect_error(c.get(kPayments), 401, "AUTHENTICATION_ERROR", {}, "list without auth");
  expect_error(capture(c, id, "{}", {}), 401, "AUTHENTICATION_ERROR", {}, "capture without auth");
}

TEST(PaymentsIsolation, AnotherMerchantsOrderAndPaymentAre404) {
  auto server = TestServer::start();
  const MerchantCreds b = create_merchant(*server, "B", "b@example.com");
  ASSERT_FALSE(b.key.empty());
  auto c = server->client();

  // B pays its own order.
  const std::string b_order = create_order(c, 20000, "INR", b.headers());
  ASSERT_FALSE(b_order.empty());
  const auto b_res = pay(c, upi(b_order), b.headers());
  ASSERT_EQ(b_res.status, 201) << b_res.body;
  const auto b_payment = object_of(b_res);
  EXPECT_EQ(str(b_payment.at("merchant_id")), b.id);
  const std::string b_pay = str(b_payment.at("id"));
  EXPECT_EQ(wait_final(c, b_pay, 10s, b.headers()).at("status"), "SUCCESS");

  // The demo merchant cannot pay, see or capture it.
  expect_error(pay(c, upi(b_order)), 404, "NOT_FOUND_ERROR", {}, "pay another merchant's order");
  expect_error(c.get(payment_path(b_pay), demo_auth()), 404, "NOT_FOUND_ERROR", {},
               "GET another merchant's payment");
  expect_error(capture(c, b_pay), 404, "NOT_FOUND_ERROR", {}, "capture another merchant's payment");
  const auto list = c.get(kPayments, demo_auth());
  ASSERT_EQ(list.status, 200);
  EXPECT_FALSE(contains(list.body, b_pay)) << list.body;
  const auto filtered = c.get(std::string(kPayments) + "?order_id=" + b_order, demo_auth());
  ASSERT_EQ(filtered.status, 200);
  EXPECT_TRUE(items_of(filtered).empty()) << filtered.body;

  // And the other way round.
  const std::string demo_order = create_order(c);
  const std::string demo_pay = pay_ok(c, upi(demo_order));
  expect_error(pay(c, upi(demo_order), b.headers()), 404, "NOT_FOUND_ERROR", {},
               "B pays the demo's order");
  expect_error(c.get(payment_path(demo_pay), b.headers()), 404, "NOT_FOUND_ERROR", {},
               "B reads the demo's payment");
  expect_error(capture(c, demo_pay, "{}", b.headers()), 404, "NOT_FOUND_ERROR", {},
               "B captures the demo's payment");
  // B's own capture still works, and the payment is unchanged by the refused attempts.
  const auto own = capture(c, b_pay, "{}", b.headers());
  EXPECT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(object_of(own).at("captured"), true);
}

// ---------------------------------------------------------------- outcomes

TEST(PaymentsOutcome, TestInstruments) {
  auto server = TestServer::start();
  auto c = server->client();
  struct Case {
    json::object (*body)(std::string_view order);
    const char* status;
    const char* error_code;
    const char* what;
  };
  const Case cases[] = {
      {[](std::string_view o) { return upi(o, "success@upi"); }, "SUCCESS", nullptr, "success@upi"},
      {[](std::string_view o) { return nested_card(o, "4111111111111111"); }, "SUCCESS", nullptr,
       "4111111111111111"},
      {[](std::string_view o) { return upi(o, "failure@upi"); }, "FAILED", "PAYMENT_FAILED",
       "failure@upi"},
      {[](std::string_view o) { return upi(o, "failure@okaxis"); }, "FAILED", "PAYMENT_FAILED",
       "failure@okaxis"},
      {[](std::string_view o) { return upi(o, "failures@upi"); }, "SUCCESS", nullptr,
       "failures@upi (local part is not failure)"},
      {[](std::string_view o) { return nested_card(o, "4000000000000002"); }, "FAILED",
       "CARD_DECLINED", "4000000000000002"},
      {[](std::string_view o) { return flat_card(o, "4000 0000 0000 0002"); }, "FAILED",
       "CARD_DECLINED", "4000 0000 0000 0002 (flat)"},
      {[](std::string_view o) { return nested_card(o, std::int64_t{4000000000000002}); }, "FAILED",
       "CARD_DECLINED", "4000000000000002 as a number"},
      {[](std::string_view o) { return nested_card(o, "4000000000009995"); }, "FAILED",
       "INSUFFICIENT_FUNDS", "4000000000009995"},
      {[](std::string_view o) { return flat_card(o, "4000-0000-0000-9995"); }, "FAILED",
       "INSUFFICIENT_FUNDS", "4000-0000-0000-9995 (flat)"},
  };
  std::vector<std::pair<std::string, const Case*>> started;
  for (const auto& k : cases) {
    const std::string id = pay_ok(c, k.body(create_order(c)));
    ASSERT_FALSE(id.empty()) << k.what;
    started.emplace_back(id, &k);
  }
  for (const auto& [id, k] : started) {
    const auto p = wait_final(c, id);
    expect_payment_shape(p, str(p.at("method")));
    EXPECT_EQ(p.at("status"), k->status) << k->what << ": " << json::serialize(p);
    EXPECT_EQ(p.at("captured"), false) << k->what;
    if (k->error_code == nullptr) {
      EXPECT_TRUE(p.at("error_code").is_null()) << k->what << ": " << json::serialize(p);
      EXPECT_TRUE(p.at("error_description").is_null()) << k->what;
    } else {
      EXPECT_EQ(p.at("error_code"), k->error_code) << k->what << ": " << json::serialize(p);
      EXPECT_TRUE(p.at("error_description").is_string()) << k->what;
      EXPECT_FALSE(str(p.at("error_description")).empty()) << k->what;
    }
    EXPECT_GE(unix_micros(str(p.at("updated_at"))), unix_micros(str(p.at("created_at"))));
    const std::string order = str(p.at("order_id"));
    EXPECT_EQ(order_status(c, order), std::string(k->status) == "SUCCESS" ? "paid" : "attempted")
        << k->what;
  }
}

TEST(PaymentsOutcome, PublicGetAnswersTheSamePaymentWithoutCredentials) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string id = pay_ok(c, upi(create_order(c)));
  const auto final_payment = wait_final(c, id);
  const auto pub = c.get(std::string(kPublicPayments) + "/" + id);
  ASSERT_EQ(pub.status, 200) << pub.body;
  const auto p = object_of(pub);
  expect_payment_shape(p, "upi");
  EXPECT_EQ(str(p.at("id")), id);
  EXPECT_EQ(p.at("status"), "SUCCESS");
  EXPECT_EQ(p.at("amount"), final_payment.at("amount"));
  expect_error(c.get(std::string(kPublicPayments) + "/pay_AAAAAAAAAAAAAAAA"), 404,
               "NOT_FOUND_ERROR", {}, "unknown public payment");
}

// Only a payment id is needed to read it publicly: the VPA (often a phone
// number) is masked there, and whole for the merchant.
TEST(PaymentsPublic, PublicGetMasksTheVpa) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string id = pay_ok(c, upi(create_order(c), "9876543210@okbank"));
  const auto pub = c.get(std::string(kPublicPayments) + "/" + id);
  ASSERT_EQ(pub.status, 200) << pub.body;
  EXPECT_EQ(str(object_of(pub).at("vpa")), "9***@okbank") << pub.body;
  EXPECT_FALSE(contains(pub.body, "9876543210")) << pub.body;
  EXPECT_EQ(str(get_payment(c, id).at("vpa")), "9876543210@okbank");
}

// ---------------------------------------------------------------- orders

TEST(PaymentsOrder, StatusFollowsPayments) {
  // A processing delay keeps the payment in flight long enough to see `attempted`.
  auto server = TestServer::start(with_env({{"PAYGATE_PROCESSING_DELAY_MS", "800"}}));
  auto c = server->client();
  const std::string order = create_order(c);
  EXPECT_EQ(order_status(c, order), "created");
  const std::string id = pay_ok(c, upi(order));
  EXPECT_EQ(order_status(c, order), "attempted");
  EXPECT_EQ(wait_final(c, id).at("status"), "SUCCESS");
  EXPECT_EQ(order_status(c, order), "paid");
  // A paid order takes no further payment.
  expect_error(pay(c, upi(order)), 400, "BAD_REQUEST_ERROR", {}, "payment on a paid order");
  expect_error(pay(c, nested_card(order, "4111111111111111")), 400, "BAD_REQUEST_ERROR", {},
               "card payment on a paid order");
  EXPECT_EQ(payments_of_order(c, order).size(), 1u);
}

TEST(PaymentsOrder, FailedPaymentLeavesTheOrderPayable) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string order = create_order(c);
  const std::string failed = pay_ok(c, upi(order, "failure@upi"));
  EXPECT_EQ(wait_final(c, failed).at("status"), "FAILED");
  EXPECT_EQ(order_status(c, order), "attempted");
  const std::string declined = pay_ok(c, nested_card(order, "4000000000000002"));
  EXPECT_EQ(wait_final(c, declined).at("error_code"), "CARD_DECLINED");
  EXPECT_EQ(order_status(c, order), "attempted");
  const std::string ok = pay_ok(c, nested_card(order, "4111111111111111"));
  EXPECT_EQ(wait_final(c, ok).at("status"), "SUCCESS");
  EXPECT_EQ(order_status(c, order), "paid");
  expect_error(pay(c, upi(order)), 400, "BAD_REQUEST_ERROR", {}, "after success");
  const auto all = payments_of_order(c, order);
  ASSERT_EQ(all.size(), 3u);
  int successes = 0;
  for (const auto& p : all) successes += p.at("status") == "SUCCESS" ? 1 : 0;
  EXPECT_EQ(successes, 1);
}

// ---------------------------------------------------------------- capture

TEST(PaymentsCapture, SuccessfulPaymentIsCapturedOnce) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string id = pay_ok(c, nested_card(create_order(c), "4111111111111111"));
  const auto authorized = wait_final(c, id);
  ASSERT_EQ(authorized.at("status"), "SUCCESS");
  ASSERT_EQ(authorized.at("captured"), false);

  const auto first = capture(c, id);
  ASSERT_EQ(first.status, 200) << first.body;
  const auto captured = object_of(first);
  expect_payment_shape(captured, "card");
  EXPECT_EQ(str(captured.at("id")), id);
  EXPECT_EQ(captured.at("status"), "SUCCESS");
  EXPECT_EQ(captured.at("captured"), true);
  EXPECT_EQ(captured.at("amount"), authorized.at("amount"));
  EXPECT_GE(unix_micros(str(captured.at("updated_at"))),
            unix_micros(str(authorized.at("updated_at"))));
  EXPECT_EQ(get_payment(c, id).at("captured"), true);

  // Again: 200, the payment unchanged.
  const auto second = capture(c, id);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(object_of(second), captured);
  EXPECT_EQ(get_payment(c, id), captured);
  // The body is optional.
  const auto no_body = capture(c, id, "");
  EXPECT_EQ(no_body.status, 200) << no_body.body;
  EXPECT_EQ(object_of(no_body), captured);
}

TEST(PaymentsCapture, FailedPaymentCannotBeCaptured) {
  auto server = TestServer::start();
  auto c = server->client();
  for (const auto& body :
       {upi(create_order(c), "failure@upi"), nested_card(create_order(c), "4000000000009995")}) {
    const std::string id = pay_ok(c, body);
    const auto failed = wait_final(c, id);
    ASSERT_EQ(failed.at("status"), "FAILED");
    expect_error(capture(c, id), 400, "BAD_REQUEST_ERROR", {}, "capture FAILED");
    EXPECT_EQ(get_payment(c, id), failed);
  }
}

TEST(PaymentsCapture, MalformedBodyIs400) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string id = pay_ok(c, upi(create_order(c)));
  wait_final(c, id);
  expect_error(capture(c, id, "{oops"), 400, "BAD_REQUEST_ERROR", {}, "malformed capture body");
  EXPECT_EQ(get_payment(c, id).at("captured"), false);
}

TEST(PaymentsCapture, CaptureWhileProcessingHappensOnSuccess) {
  auto server = TestServer::start(with_env({{"PAYGATE_PROCESSING_DELAY_MS", "4000"}}));
  auto c = server->client();
  const std::string id = pay_ok(c, upi(create_order(c)));
  const std::string failing = pay_ok(c, upi(create_order(c), "failure@upi"));

  const auto early = capture(c, id);
  ASSERT_EQ(early.status, 200) << early.body;
  const auto p = object_of(early);
  expect_payment_shape(p, "upi");
  EXPECT_TRUE(p.at("status") == "CREATED" || p.at("status") == "PROCESSING") << early.body;
  EXPECT_EQ(p.at("captured"), false);
  // Asking again while it is still in flight is the same answer.
  const auto again = capture(c, id);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_TRUE(object_of(again).at("status") == "PROCESSING" ||
              object_of(again).at("status") == "CREATED");
  EXPECT_EQ(object_of(again).at("captured"), false);
  // It stays PROCESSING (not final) for a while.
  // (Claimed at once on SQLite; on a loaded PostgreSQL run it can take a moment.)
  EXPECT_TRUE(eventually([&] { return get_payment(c, id).at("status") == "PROCESSING"; }, 3s));
  EXPECT_FALSE(is_final(get_payment(c, id)));

  // A capture asked for on a payment that then fails leaves it uncaptured.
  EXPECT_EQ(capture(c, failing).status, 200);

  const auto done = wait_final(c, id, 10s);
  EXPECT_EQ(done.at("status"), "SUCCESS");
  EXPECT_EQ(done.at("captured"), true) << json::serialize(done);
  const auto failed = wait_final(c, failing, 10s);
  EXPECT_EQ(failed.at("status"), "FAILED");
  EXPECT_EQ(failed.at("captured"), false);
  expect_error(capture(c, failing), 400, "BAD_REQUEST_ERROR", {}, "capture after it failed");
  // Capturing the captured payment again changes nothing.
  const auto after = capture(c, id);
  EXPECT_EQ(after.status, 200);
  EXPECT_EQ(object_of(after), done);
}

// PostgreSQL runs writes side by side at READ COMMITTED. A capture that read
// the payment just before another writer changed it must not write its stale
// copy over that change: it did, and a capture racing the processor put a
// PROCESSING payment back to CREATED (found as a flaky
// CaptureWhileProcessingHappensOnSuccess on PostgreSQL).
TEST(PaymentsCapture, RacingAnotherWriterDoesNotUndoItsChange) {
  if (!on_postgres()) GTEST_SKIP() << "only PostgreSQL runs two writes at once";
  auto server = TestServer::start(with_args({"--no-workers"}));
  auto c = server->client();
  const std::string id = pay_ok(c, upi(create_order(c)));
  const std::string url = server->database_url();

  // The other writer (standing in for the processor) changes the payment and
  // holds the row until the capture has read it and is waiting to write.
  PgSession processor(url);
  processor.query("BEGIN");
  processor.query(
      "UPDATE payments SET status = 'PROCESSING', processing_started_at = updated_at,"
      " version = version + 1 WHERE id = '" +
      id + "'");
  auto captured = std::async(std::launch::async, [&] {
    auto own = server->client();
    return capture(own, id);
  });
  const bool waiting = eventually_waits_for_a_lock(url);
  processor.query("COMMIT");
  ASSERT_TRUE(waiting) << "the capture never waited for the row";

  const auto res = captured.get();
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(object_of(res).at("status"), "PROCESSING") << res.body;
  const auto p = get_payment(c, id);
  EXPECT_EQ(p.at("status"), "PROCESSING") << json::serialize(p);
  EXPECT_EQ(p.at("captured"), false);
  const auto rows =
      pg_query(url, "SELECT capture_requested, version FROM payments WHERE id = '" + id + "'");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"1", "3"}));
}

// ---------------------------------------------------------------- public payments

TEST(PaymentsPublic, KeylessPaymentIsCapturedOnSuccess) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string order = create_order(c, 50000);
  json::object body{{"order_id", order},
                    {"amount", 50000},
                    {"currency", "INR"},
                    {"method", "upi"},
                    {"vpa", "test@upi"}};
  const auto res = c.post(kPublicPayments, json::serialize(body));
  ASSERT_EQ(res.status, 201) << res.body;
  const auto p = object_of(res);
  expect_payment_shape(p, "upi");
  EXPECT_EQ(p.at("status"), "CREATED");
  EXPECT_EQ(p.at("captured"), false);
  EXPECT_EQ(p.at("merchant_id"), kDemoMerchantId);
  EXPECT_EQ(p.at("amount").as_int64(), 50000);
  const std::string id = str(p.at("id"));

  // Status polling without credentials.
  json::object last;
  ASSERT_TRUE(eventually(
      [&] {
        const auto r = c.get(std::string(kPublicPayments) + "/" + id);
        if (r.status != 200) return false;
        last = object_of(r);
        return is_final(last);
      },
      10s))
      << json::serialize(last);
  EXPECT_EQ(last.at("status"), "SUCCESS");
  EXPECT_EQ(last.at("captured"), true);
  EXPECT_EQ(get_payment(c, id).at("captured"), true);
  EXPECT_EQ(order_status(c, order), "paid");
}

TEST(PaymentsPublic, CardPaymentWithoutAmount) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string order = create_order(c, 9900);
  const auto res = c.post(kPublicPayments, json::serialize(nested_card(order, "4111111111111111")));
  ASSERT_EQ(res.status, 201) << res.body;
  const auto p = object_of(res);
  EXPECT_EQ(p.at("amount").as_int64(), 9900);
  EXPECT_EQ(p.at("card_network"), "visa");
  EXPECT_FALSE(contains(res.body, "4111111111111111"));
  const std::string id = str(p.at("id"));
  const auto done = wait_final(c, id);
  EXPECT_EQ(done.at("status"), "SUCCESS");
  EXPECT_EQ(done.at("captured"), true);
  // A declined card fails, uncaptured.
  const auto declined =
      c.post(kPublicPayments, json::serialize(nested_card(create_order(c), "4000000000000002")));
  ASSERT_EQ(declined.status, 201) << declined.body;
  const auto failed = wait_final(c, str(object_of(declined).at("id")));
  EXPECT_EQ(failed.at("status"), "FAILED");
  EXPECT_EQ(failed.at("error_code"), "CARD_DECLINED");
  EXPECT_EQ(failed.at("captured"), false);
}

TEST(PaymentsPublic, OutsideTestModeAPublishableKeyIsRequired) {
  ServerOptions options;
  options.test_mode = false;
  auto server = TestServer::start(options);
  const MerchantCreds m = create_merchant(*server, "Shop", "shop@example.com");
  ASSERT_FALSE(m.key.empty());
  auto c = server->client();
  const std::string order = create_order(c, 30000, "INR", m.headers());
  ASSERT_FALSE(order.empty());
  expect_error(c.post(kPublicPayments, json::serialize(upi(order))), 401, "AUTHENTICATION_ERROR",
               {}, "keyless public payment outside test mode");
  // The key as a header or as key_id in the body.
  const auto by_header =
      c.post(kPublicPayments, json::serialize(upi(order, "failure@upi")), {{"X-Api-Key", m.key}});
  ASSERT_EQ(by_header.status, 201) << by_header.body;
  EXPECT_EQ(str(object_of(by_header).at("merchant_id")), m.id);
  auto with_key = upi(order);
  with_key["key_id"] = m.key;
  const auto by_body = c.post(kPublicPayments, json::serialize(with_key));
  ASSERT_EQ(by_body.status, 201) << by_body.body;
  const std::string id = str(object_of(by_body).at("id"));
  // Status polling needs no credentials.
  json::object last;
  EXPECT_TRUE(eventually(
      [&] {
        const auto r = c.get(std::string(kPublicPayments) + "/" + id);
        last = r.status == 200 ? object_of(r) : json::object{};
        return is_final(last);
      },
      10s))
      << json::serialize(last);
  EXPECT_EQ(last.at("status"), "SUCCESS");
  EXPECT_EQ(last.at("captured"), true);
  EXPECT_EQ(get_order(c, order, m.headers()).at("status"), "paid");
}

TEST(PaymentsPublic, ValidationAndIsolation) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string order = create_order(c, 50000);
  auto wrong_amount = upi(order);
  wrong_amount["amount"] = 500;
  expect_error(c.post(kPublicPayments, json::serialize(wrong_amount)), 400, "BAD_REQUEST_ERROR",
               "amount", "public amount not the order's");
  auto wrong_currency = upi(order);
  wrong_currency["currency"] = "USD";
  expect_error(c.post(kPublicPayments, json::serialize(wrong_currency)), 400, "BAD_REQUEST_ERROR",
               "currency", "public currency not the order's");
  expect_error(c.post(kPublicPayments, json::serialize(upi(order, "bad vpa"))), 400, "INVALID_VPA",
               "vpa", "public bad vpa");
  expect_error(c.post(kPublicPayments, json::serialize(nested_card(order, "4111111111111112"))),
               400, "INVALID_CARD", "card.number", "public bad card");
  expect_error(c.post(kPublicPayments, json::serialize(upi("order_AAAAAAAAAAAAAAAA"))), 404,
               "NOT_FOUND_ERROR", {}, "public unknown order");
  // Another merchant's publishable key does not reach the demo's order.
  const MerchantCreds b = create_merchant(*server, "B", "b@example.com");
  expect_error(c.post(kPublicPayments, json::serialize(upi(order)), {{"X-Api-Key", b.key}}), 404,
               "NOT_FOUND_ERROR", {}, "public payment with another merchant's key");
  EXPECT_TRUE(payments_of_order(c, order).empty());
}

// ---------------------------------------------------------------- list

TEST(PaymentsList, NewestFirstWithPagingAndFilters) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string order_a = create_order(c);
  std::vector<std::string> ids;  // oldest first
  ids.push_back(pay_ok(c, upi(order_a, "failure@upi")));
  wait_final(c, ids.back());
  ids.push_back(pay_ok(c, nested_card(order_a, "4000000000000002")));
  wait_final(c, ids.back());
  ids.push_back(pay_ok(c, upi(order_a)));
  wait_final(c, ids.back());
  for (int i = 0; i < 3; ++i) {
    ids.push_back(pay_ok(c, upi(create_order(c))));
    wait_final(c, ids.back());
  }

  const auto all = c.get(std::string(kPayments) + "?count=100", demo_auth());
  ASSERT_EQ(all.status, 200) << all.body;
  const auto body = object_of(all);
  EXPECT_EQ(body.at("count").as_int64(), 6);
  const auto items = items_of(all);
  ASSERT_EQ(items.size(), 6u);
  for (std::size_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ(str(items[i].at("id")), ids[ids.size() - 1 - i]) << "position " << i;
    expect_payment_shape(items[i], str(items[i].at("method")));
  }

  // Paging.
  const auto page = [&](int count, int skip) {
    std::vector<std::string> out;
    const auto res = c.get(std::string(kPayments) + "?count=" + std::to_string(count) +
                               "&skip=" + std::to_string(skip),
                           demo_auth());
    EXPECT_EQ(res.status, 200) << res.body;
    for (const auto& p : items_of(res)) out.push_back(str(p.at("id")));
    return out;
  };
  EXPECT_EQ(page(2, 0), (std::vector<std::string>{ids[5], ids[4]}));
  EXPECT_EQ(page(2, 2), (std::vector<std::string>{ids[3], ids[2]}));
  EXPECT_EQ(page(4, 4), (std::vector<std::string>{ids[1], ids[0]}));
  EXPECT_TRUE(page(10, 6).empty());

  // Filters.
  const auto filter = [&](std::string_view query) {
    std::vector<std::string> out;
    const auto res = c.get(std::string(kPayments) + "?" + std::string(query), demo_auth());
    EXPECT_EQ(res.status, 200) << query << ": " << res.body;
    for (const auto& p : items_of(res)) out.push_back(str(p.at("id")));
    return out;
  };
  EXPECT_EQ(filter("order_id=" + order_a), (std::vector<std::string>{ids[2], ids[1], ids[0]}));
  EXPECT_EQ(filter("status=FAILED"), (std::vector<std::string>{ids[1], ids[0]}));
  EXPECT_EQ(filter("status=SUCCESS&count=2"), (std::vector<std::string>{ids[5], ids[4]}));
  EXPECT_EQ(filter("status=SUCCESS&order_id=" + order_a), (std::vector<std::string>{ids[2]}));
  EXPECT_TRUE(filter("status=CREATED").empty());
  EXPECT_TRUE(filter("order_id=order_AAAAAAAAAAAAAAAA").empty());

  expect_error(c.get(std::string(kPayments) + "?status=BOGUS", demo_auth()), 400,
               "BAD_REQUEST_ERROR", "status", "bad status");
  expect_error(c.get(std::string(kPayments) + "?count=0", demo_auth()), 400, "BAD_REQUEST_ERROR",
               "count", "count 0");
  expect_error(c.get(std::string(kPayments) + "?count=101", demo_auth()), 400, "BAD_REQUEST_ERROR",
               "count", "count 101");
  expect_error(c.get(std::string(kPayments) + "?skip=-1", demo_auth()), 400, "BAD_REQUEST_ERROR",
               "skip", "negative skip");
  expect_error(c.get(std::string(kPayments) + "?count=abc", demo_auth()), 400, "BAD_REQUEST_ERROR",
               "count", "count not a number");
}

TEST(PaymentsList, DefaultPageIsTen) {
  auto server = TestServer::start(with_args({"--no-workers"}));
  auto c = server->client();
  const std::string order = create_order(c);
  for (int i = 0; i < 12; ++i) pay_ok(c, upi(order));
  const auto res = c.get(kPayments, demo_auth());
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(items_of(res).size(), 10u);
  EXPECT_EQ(object_of(res).at("count").as_int64(), 10);
  EXPECT_EQ(object_of(res).at("entity"), "collection");
}

// ---------------------------------------------------------------- concurrency

TEST(PaymentsConcurrency, SixteenAttemptsOnOneOrderMakeOneSuccess) {
  auto server = TestServer::start();
  auto setup = server->client();
  const std::string order = create_order(setup);
  ASSERT_FALSE(order.empty());

  constexpr int kThreads = 16;
  std::vector<HttpResponse> responses(kThreads);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto c = server->client();
      const auto body = i % 2 == 0 ? upi(order) : nested_card(order, "4111111111111111");
      ++ready;
      while (ready < kThreads) std::this_thread::yield();
      responses[static_cast<std::size_t>(i)] = pay(c, body);
    });
  }
  for (auto& t : threads) t.join();

  std::vector<std::string> created;
  for (const auto& r : responses) {
    if (r.status == 201) {
      created.push_back(str(object_of(r).at("id")));
    } else {
      expect_error(r, 400, "BAD_REQUEST_ERROR", {}, "refused concurrent attempt");
    }
  }
  ASSERT_FALSE(created.empty());
  int successes = 0;
  for (const auto& id : created) {
    const auto p = wait_final(setup, id);
    if (p.at("status") == "SUCCESS") {
      ++successes;
    } else {
      EXPECT_EQ(p.at("status"), "FAILED");
      EXPECT_EQ(p.at("error_code"), "ORDER_ALREADY_PAID") << json::serialize(p);
    }
  }
  EXPECT_EQ(successes, 1) << created.size() << " payments were created";
  EXPECT_EQ(order_status(setup, order), "paid");
  const auto listed = payments_of_order(setup, order);
  EXPECT_EQ(listed.size(), created.size());
  int listed_successes = 0;
  for (const auto& p : listed) listed_successes += p.at("status") == "SUCCESS" ? 1 : 0;
  EXPECT_EQ(listed_successes, 1);
}

// ---------------------------------------------------------------- card data

TEST(PaymentsCardData, NumberAndCvvAreNeverStoredOrLogged) {
  auto server = TestServer::start(with_env({{"PAYGATE_LOG_LEVEL", "trace"}}));
  auto c = server->client();
  const std::string year = future_year();
  std::vector<std::string> ids;
  ids.push_back(pay_ok(c, nested_card(create_order(c), "4242424242424242", "987")));
  ids.push_back(pay_ok(c, nested_card(create_order(c), "4242 4242 4242 4242", "987")));
  ids.push_back(pay_ok(c, flat_card(create_order(c), "4242-4242-4242-4242", "987")));
  ids.push_back(pay_ok(c, flat_card(create_order(c), std::int64_t{4242424242424242},
                                    std::int64_t{987}, std::int64_t{11}, std::stoll(year))));
  const auto pub = c.post(kPublicPayments,
                          json::serialize(nested_card(create_order(c), "4242424242424242", "987")));
  ASSERT_EQ(pub.status, 201) << pub.body;
  ids.push_back(str(object_of(pub).at("id")));
  // Rejected requests carrying the number and CVV.
  expect_error(pay(c, nested_card(create_order(c), "4242424242424242", "987", "12", "2020")), 400,
               "EXPIRED_CARD", "card.expiry_year", "expired");
  expect_error(pay(c, nested_card("order_AAAAAAAAAAAAAAAA", "4242424242424242", "987")), 404,
               "NOT_FOUND_ERROR", {}, "unknown order");
  expect_error(pay(c, nested_card(create_order(c), "4242424242424242", "9870")), 400,
               "INVALID_CARD", "card.cvv", "bad cvv");

  std::string responses;
  for (const auto& id : ids) {
    const auto p = wait_final(c, id);
    EXPECT_EQ(p.at("status"), "SUCCESS");
    EXPECT_EQ(p.at("card_last4"), "4242");
    responses += json::serialize(p);
  }
  responses += c.get(std::string(kPayments) + "?count=100", demo_auth()).body;

  const std::vector<std::string> numbers{"4242424242424242", "4242 4242 4242 4242",
                                         "4242-4242-4242-4242", "424242424242"};
  const auto check = [&](const std::string& when) {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      if (on_postgres())
        break;  // the files are the server's; the logs and replies are checked below
      const std::string bytes = read_file(server->db_path() + suffix);
      for (const auto& n : numbers) {
        EXPECT_FALSE(contains(bytes, n)) << n << " found in paygate.db" << suffix << " " << when;
      }
    }
    const std::string log = server->log();
    for (const auto& n : numbers) EXPECT_FALSE(contains(log, n)) << n << " in the log " << when;
    EXPECT_FALSE(contains(log, "\"987\"")) << "the CVV in the log " << when;
    EXPECT_FALSE(contains(log, "cvv\":987")) << "the CVV in the log " << when;
  };
  if (!on_postgres()) {
    EXPECT_FALSE(read_file(server->db_path()).empty());
  }
  check("while running");
  for (const auto& n : numbers) EXPECT_FALSE(contains(responses, n)) << n << " in a response";
  EXPECT_FALSE(contains(responses, "\"987\"")) << "the CVV in a response";
  EXPECT_FALSE(contains(responses, "cvv")) << "a CVV field in a response";
  // After a clean stop (the WAL is checkpointed into the database file).
  EXPECT_EQ(server->stop(SIGTERM), 0);
  check("after stop");
}

// ---------------------------------------------------------------- job queue

TEST(PaymentsJobs, ProcessingDelayDoesNotBlockWorkers) {
  auto server = TestServer::start(with_env({{"PAYGATE_PROCESSING_DELAY_MS", "1000"}}));
  const auto start = std::chrono::steady_clock::now();
  const auto ids = create_upi_payments(*server, 200, 4);
  const auto created = std::chrono::steady_clock::now();
  for (const auto& id : ids) ASSERT_FALSE(id.empty());
  const auto done = wait_all_final(*server, ids, 5s);
  const auto finished = std::chrono::steady_clock::now();
  ASSERT_EQ(done.size(), ids.size());
  for (const auto& [id, p] : done) {
    EXPECT_EQ(p.at("status"), "SUCCESS") << json::serialize(p);
    // The delay was really applied.
    EXPECT_GE(unix_micros(str(p.at("updated_at"))) - unix_micros(str(p.at("created_at"))), 900'000)
        << json::serialize(p);
  }
  const auto ms = [](auto d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  };
  RecordProperty("create_ms", static_cast<int>(ms(created - start)));
  RecordProperty("settle_ms", static_cast<int>(ms(finished - created)));
  EXPECT_LT(finished - created, 5s);
}

TEST(PaymentsJobs, DelayDoesNotHoldAJobSlot) {
  // One job in flight at a time: a delay that held the slot would take 20 s.
  auto server = TestServer::start(
      with_env({{"PAYGATE_PROCESSING_DELAY_MS", "1000"}, {"PAYGATE_WORKER_CONCURRENCY", "1"}}));
  const auto start = std::chrono::steady_clock::now();
  const auto ids = create_upi_payments(*server, 20, 2);
  const auto done = wait_all_final(*server, ids, 6s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 6s);
  ASSERT_EQ(done.size(), ids.size());
  for (const auto& [id, p] : done) EXPECT_EQ(p.at("status"), "SUCCESS") << json::serialize(p);
}

TEST(PaymentsJobs, FailureRateFailsOtherwiseGoodPayments) {
  auto server = TestServer::start(with_env({{"PAYGATE_FAILURE_RATE", "1"}}));
  auto c = server->client();
  const std::string upi_id = pay_ok(c, upi(create_order(c)));
  const std::string card_id = pay_ok(c, nested_card(create_order(c), "4111111111111111"));
  const std::string declined = pay_ok(c, nested_card(create_order(c), "4000000000000002"));
  for (const auto& id : {upi_id, card_id}) {
    const auto p = wait_final(c, id);
    EXPECT_EQ(p.at("status"), "FAILED") << json::serialize(p);
    EXPECT_EQ(p.at("error_code"), "PAYMENT_FAILED") << json::serialize(p);
  }
  // A test card keeps its own outcome.
  EXPECT_EQ(wait_final(c, declined).at("error_code"), "CARD_DECLINED");
}

TEST(PaymentsJobs, EnqueueAndStatus) {
  auto server = TestServer::start();
  auto c = server->client();
  const auto before = jobs_status(c);
  for (const char* key : {"pending", "processing", "completed", "failed", "worker_status"}) {
    EXPECT_TRUE(before.contains(key)) << key << " missing in " << json::serialize(before);
  }
  EXPECT_EQ(before.at("worker_status"), "running");
  const std::int64_t completed_before = count_of(before, "completed");
  EXPECT_GE(count_of(before, "pending"), 0);
  EXPECT_GE(count_of(before, "processing"), 0);
  EXPECT_EQ(count_of(before, "failed"), 0);

  const auto res = c.post(kJobsEnqueue, "");
  ASSERT_EQ(res.status, 200) << res.body;
  const auto q = object_of(res);
  EXPECT_EQ(q.size(), 3u) << res.body;
  EXPECT_EQ(q.at("status"), "queued");
  EXPECT_EQ(q.at("queue"), "gateway_jobs");
  const std::string id = str(q.at("payment_id"));
  EXPECT_TRUE(is_payment_id(id)) << id;
  const auto p = wait_final(c, id);
  EXPECT_EQ(p.at("status"), "SUCCESS");
  EXPECT_EQ(p.at("merchant_id"), kDemoMerchantId);

  // A payment through the API is counted too.
  const std::string other = pay_ok(c, upi(create_order(c)));
  wait_final(c, other);
  json::object after;
  EXPECT_TRUE(eventually(
      [&] {
        after = jobs_status(c);
        return count_of(after, "completed") >= completed_before + 2 &&
               count_of(after, "pending") == 0 && count_of(after, "processing") == 0;
      },
      5s))
      << json::serialize(after);
  EXPECT_EQ(count_of(after, "failed"), 0);
  EXPECT_EQ(after.at("worker_status"), "running");
}

TEST(PaymentsJobs, NoWorkersLeavesPaymentsCreated) {
  auto server = TestServer::start(with_args({"--no-workers"}));
  auto c = server->client();
  const auto status = jobs_status(c);
  EXPECT_EQ(status.at("worker_status"), "stopped");
  const std::string id = pay_ok(c, upi(create_order(c)));
  const auto res = c.post(kJobsEnqueue, "");
  ASSERT_EQ(res.status, 200) << res.body;
  const std::string queued = str(object_of(res).at("payment_id"));
  // Nothing processes them.
  EXPECT_FALSE(eventually(
      [&] {
        return get_payment(c, id).at("status") != "CREATED" ||
               get_payment(c, queued).at("status") != "CREATED";
      },
      1s));
  const auto later = jobs_status(c);
  EXPECT_EQ(count_of(later, "pending"), 2) << json::serialize(later);
  EXPECT_EQ(count_of(later, "processing"), 0);
  EXPECT_EQ(count_of(later, "completed"), 0);
  EXPECT_EQ(later.at("worker_status"), "stopped");
}

TEST(PaymentsJobs, TestEndpointsOnlyInTestMode) {
  auto server = TestServer::start(ServerOptions{false, {}, {}});
  expect_error(server->get(kJobsStatus), 404, "NOT_FOUND_ERROR", {}, "status without test mode");
  expect_error(server->post(kJobsEnqueue, ""), 404, "NOT_FOUND_ERROR", {},
               "enqueue without test mode");
}

TEST(PaymentsJobs, SeparateWorkerProcessProcessesPayments) {
  auto server = TestServer::start(with_args({"--no-workers"}, {{"PAYGATE_JOB_POLL_MS", "50"}}));
  auto c = server->client();
  const std::string ok = pay_ok(c, upi(create_order(c)));
  const std::string failed = pay_ok(c, upi(create_order(c), "failure@upi"));
  const std::string declined = pay_ok(c, nested_card(create_order(c), "4000000000000002"));
  const std::string card_ok = pay_ok(c, flat_card(create_order(c), "4111111111111111"));
  EXPECT_EQ(get_payment(c, ok).at("status"), "CREATED");
  EXPECT_EQ(jobs_status(c).at("worker_status"), "stopped");

  auto worker = server->start_worker({{"PAYGATE_JOB_POLL_MS", "50"}});
  EXPECT_EQ(wait_final(c, ok).at("status"), "SUCCESS");
  EXPECT_EQ(wait_final(c, failed).at("error_code"), "PAYMENT_FAILED");
  // The card fingerprint key is shared through the database: the worker knows the test cards.
  EXPECT_EQ(wait_final(c, declined).at("error_code"), "CARD_DECLINED");
  EXPECT_EQ(wait_final(c, card_ok).at("status"), "SUCCESS");

  // Payments created while the worker runs are found by its poll.
  const std::string later = pay_ok(c, upi(create_order(c)));
  EXPECT_EQ(wait_final(c, later, 5s).at("status"), "SUCCESS");
  json::object status;
  EXPECT_TRUE(eventually(
      [&] {
        status = jobs_status(c);
        return count_of(status, "completed") == 5 && count_of(status, "pending") == 0;
      },
      5s))
      << json::serialize(status);
  EXPECT_EQ(status.at("worker_status"), "stopped");  // this server runs none itself

  EXPECT_EQ(worker->stop(SIGTERM), 0) << worker->log();
  // With the worker gone, nothing processes payments any more.
  const std::string orphan = pay_ok(c, upi(create_order(c)));
  EXPECT_FALSE(eventually([&] { return is_final(get_payment(c, orphan)); }, 500ms));
}

TEST(PaymentsJobs, TwoWorkerProcessesShareTheQueue) {
  auto server = TestServer::start(with_args({"--no-workers"}));
  const std::map<std::string, std::string> env{{"PAYGATE_JOB_POLL_MS", "20"},
                                               {"PAYGATE_PROCESSING_DELAY_MS", "200"}};
  auto first = server->start_worker(env);
  auto second = server->start_worker(env);
  const auto ids = create_upi_payments(*server, 60, 3);
  const auto done = wait_all_final(*server, ids, 10s);
  ASSERT_EQ(done.size(), ids.size());
  for (const auto& [id, p] : done) EXPECT_EQ(p.at("status"), "SUCCESS") << json::serialize(p);
  auto c = server->client();
  json::object status;
  EXPECT_TRUE(eventually(
      [&] {
        status = jobs_status(c);
        return count_of(status, "pending") == 0 && count_of(status, "processing") == 0;
      },
      5s))
      << json::serialize(status);
  // Each job was done once: none is left, none died.
  EXPECT_EQ(count_of(status, "completed"), 60);
  EXPECT_EQ(count_of(status, "failed"), 0);
  EXPECT_EQ(first->stop(SIGTERM), 0) << first->log();
  EXPECT_EQ(second->stop(SIGTERM), 0) << second->log();
}

TEST(PaymentsJobs, CrashRecoveryFinishesEveryPayment) {
  auto server = TestServer::start(
      with_env({{"PAYGATE_PROCESSING_DELAY_MS", "300"}, {"PAYGATE_JOB_LEASE_MS", "1000"}}));
  std::vector<std::string> orders;
  {
    auto c = server->client();
    for (int i = 0; i < 200; ++i) orders.push_back(create_order(c));
  }
  // All the payments, as fast as possible, then SIGKILL while many are in flight.
  std::vector<std::string> ids(orders.size());
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      auto c = server->client();
      for (std::size_t i = next++; i < orders.size(); i = next++)
        ids[i] = pay_ok(c, upi(orders[i]));
    });
  }
  for (auto& t : threads) t.join();
  // How many are still in flight when the server dies (a test that kills an
  // idle server proves nothing).
  std::size_t in_flight = 0;
  {
    auto c = server->client();
    for (const char* status : {"CREATED", "PROCESSING"}) {
      for (int skip = 0; skip < 200; skip += 100) {
        in_flight +=
            items_of(c.get(std::string(kPayments) + "?count=100&skip=" + std::to_string(skip) +
                               "&status=" + status,
                           demo_auth()))
                .size();
      }
    }
  }
  server->restart();
  RecordProperty("in_flight_at_kill", static_cast<int>(in_flight));
  EXPECT_GT(in_flight, 0u);
  for (const auto& id : ids) ASSERT_FALSE(id.empty());

  const auto done = wait_all_final(*server, ids, 20s);
  ASSERT_EQ(done.size(), ids.size());
  auto c = server->client();
  for (const auto& [id, p] : done) {
    EXPECT_EQ(p.at("status"), "SUCCESS") << json::serialize(p);
  }
  for (const auto& order : orders) {
    const auto payments = payments_of_order(c, order);
    ASSERT_EQ(payments.size(), 1u) << order;
    EXPECT_EQ(payments[0].at("status"), "SUCCESS") << order;
    EXPECT_EQ(order_status(c, order), "paid") << order;
  }
  json::object status;
  EXPECT_TRUE(eventually(
      [&] {
        status = jobs_status(c);
        return count_of(status, "pending") == 0 && count_of(status, "processing") == 0;
      },
      10s))
      << json::serialize(status);
  EXPECT_EQ(count_of(status, "failed"), 0);
  EXPECT_EQ(count_of(status, "completed"), 200);
}

TEST(PaymentsJobs, ReconciliationFailsStuckPayments) {
  // A delay at or above the timeout is refused at start, so the payment is
  // left PROCESSING by a worker killed during its 5 s delay; the worker
  // after it times it out after 1 s, long before its job is due again.
  auto server = TestServer::start(with_args({"--no-workers"}));
  auto c = server->client();
  const std::string order = create_order(c);
  const std::string id = pay_ok(c, upi(order));
  const auto start = std::chrono::steady_clock::now();
  {
    auto slow = server->start_worker({{"PAYGATE_PROCESSING_DELAY_MS", "5000"}});
    EXPECT_TRUE(eventually([&] { return get_payment(c, id).at("status") == "PROCESSING"; }, 2s));
    slow->stop(SIGKILL);
  }
  auto worker = server->start_worker(
      {{"PAYGATE_PROCESSING_TIMEOUT_MS", "1000"}, {"PAYGATE_RECONCILE_INTERVAL_MS", "200"}});
  const auto p = wait_final(c, id, 4s);
  const auto settled = std::chrono::steady_clock::now();
  EXPECT_EQ(p.at("status"), "FAILED") << json::serialize(p);
  EXPECT_EQ(p.at("error_code"), "PROCESSING_TIMEOUT") << json::serialize(p);
  EXPECT_TRUE(p.at("error_description").is_string());
  EXPECT_EQ(p.at("captured"), false);
  EXPECT_GE(settled - start, 900ms);
  EXPECT_EQ(order_status(c, order), "attempted");

  // When the delayed job finally runs it leaves the final status alone.
  json::object status;
  EXPECT_TRUE(eventually(
      [&] {
        status = jobs_status(c);
        return count_of(status, "pending") == 0 && count_of(status, "processing") == 0;
      },
      8s))
      << json::serialize(status);
  EXPECT_EQ(count_of(status, "completed"), 1);
  EXPECT_EQ(count_of(status, "failed"), 0);
  EXPECT_EQ(get_payment(c, id), p);
}

}  // namespace
}  // namespace paygate::test
