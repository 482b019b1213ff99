// The server's log end to end: one line per request with its id, merchant,
// method, route, status and duration, as JSON objects with
// PAYGATE_LOG_FORMAT=json and key=value text otherwise; job and webhook
// outcomes with their ids; and no secret, card number or CVV in any line of
// a run that used them all.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "flows.h"
#include "harness.h"
#include "receiver.h"

namespace paygate::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// The JSON log lines whose "msg" is msg.
std::vector<json::object> events(const TestServer& server, std::string_view msg) {
  std::vector<json::object> out;
  for (const auto& line : lines_of(server.log())) {
    boost::system::error_code ec;
    const auto v = json::parse(line, ec);
    if (ec || !v.is_object()) continue;
    if (v.as_object().contains("msg") && str(v.as_object().at("msg")) == msg) {
      out.push_back(v.as_object());
    }
  }
  return out;
}

TEST(Logs, JsonFormatOneObjectPerLineWithTheRequestsFields) {
  auto server =
      TestServer::start({.test_mode = true, .args = {}, .env = {{"PAYGATE_LOG_FORMAT", "json"}}});
  auto c = server->client();
  const auto res = c.post("/api/v1/orders", R"({"amount": 5000})",
                          {{"X-Api-Key", std::string(kDemoKey)},
                           {"X-Api-Secret", std::string(kDemoSecret)},
                           {"X-Request-Id", "log-test-request-1"}});
  ASSERT_EQ(res.status, 201);
  ASSERT_EQ(c.get("/api/v1/orders/order_nope", demo_auth()).status, 404);

  // The harness's health checks are logged too: wait for the 404.
  std::vector<json::object> requests;
  const auto is_404 = [](const json::object& r) {
    return str(r.at("route")) == "/api/v1/orders/{id}" && r.at("status") == 404;
  };
  ASSERT_TRUE(eventually([&] {
    requests = events(*server, "request");
    return std::any_of(requests.begin(), requests.end(), is_404);
  })) << "the route pattern, not the raw path: "
      << server->log();

  // Every line is a JSON object with a time and a level.
  for (const auto& line : lines_of(server->log())) {
    boost::system::error_code ec;
    const auto v = json::parse(line, ec);
    ASSERT_FALSE(ec) << "not JSON: " << line;
    ASSERT_TRUE(v.is_object()) << line;
    EXPECT_TRUE(is_iso_micros(str(v.as_object().at("time")))) << line;
    EXPECT_TRUE(v.as_object().contains("level")) << line;
    EXPECT_TRUE(v.as_object().contains("msg")) << line;
  }

  json::object created;
  for (const auto& r : requests) {
    if (r.at("request_id") == "log-test-request-1") created = r;
  }
  ASSERT_FALSE(created.empty()) << server->log();
  EXPECT_EQ(created.at("level"), "info");
  EXPECT_EQ(created.at("merchant_id"), "mrc_testmerchant0001");
  EXPECT_EQ(created.at("method"), "POST");
  EXPECT_EQ(created.at("route"), "/api/v1/orders");
  EXPECT_EQ(created.at("status"), 201);
  EXPECT_TRUE(created.at("duration_ms").is_number());
}

TEST(Logs, TextFormatKeyValueAndJobAndWebhookOutcomes) {
  Receiver receiver;
  receiver.respond_statuses("/hook", {200});
  auto server = TestServer::start();
  auto c = server->client();
  ASSERT_EQ(c.post("/api/v1/webhooks",
                   json::serialize(json::object{{"url", receiver.url("/hook")}}), demo_auth())
                .status,
            201);
  const std::string pay = captured_payment(c, demo_auth(), upi("erin@upi"));
  ASSERT_TRUE(receiver.wait_for("/hook", 2, 10s));
  ASSERT_TRUE(eventually([&] {
    const auto log = server->log();
    return log.find(" webhook_attempt ") != std::string::npos &&
           log.find(" job ") != std::string::npos;
  })) << server->log();
  const auto log = server->log();
  EXPECT_NE(log.find(" info request request_id="), std::string::npos) << log;
  EXPECT_NE(log.find("merchant_id=mrc_testmerchant0001 method=POST route=/api/v1/payments/public "
                     "status=201 duration_ms="),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("kind=payment.process subject_id=" + pay), std::string::npos) << log;
  EXPECT_NE(log.find("outcome=ok"), std::string::npos) << log;
  EXPECT_NE(log.find(" webhook_attempt delivery_id="), std::string::npos) << log;
  EXPECT_NE(log.find("response_code=200"), std::string::npos) << log;
}

// Everything sensitive this test sends, and must never find in the log.
TEST(Logs, NoSecretCardNumberOrCvvInAnyLineEvenAtTrace) {
  Receiver receiver;
  receiver.respond_statuses("/hook", {200});
  for (const char* format : {"text", "json"}) {
    SCOPED_TRACE(format);
    auto server = TestServer::start(
        {.test_mode = true,
         .args = {},
         .env = {{"PAYGATE_LOG_FORMAT", format}, {"PAYGATE_LOG_LEVEL", "trace"}}});
    auto c = server->client();
    const MerchantCreds other = create_merchant(*server, "Secretive");
    const auto hook =
        c.post("/api/v1/webhooks", json::serialize(json::object{{"url", receiver.url("/hook")}}),
               demo_auth());
    ASSERT_EQ(hook.status, 201);
    const std::string webhook_secret = str(object_of(hook).at("secret"));

    // Cards: one that succeeds, one declined, an amex with its 4-digit CVV,
    // through both payment endpoints; bad cards that fail validation too.
    const std::string visa = captured_payment(c, demo_auth(), card("4111111111111111", "739"));
    start_payment(c, card("4000000000000002", "739"), true);
    captured_payment(c, other.headers(), card("378282246310005", "8362"));
    const auto bad = c.post("/api/v1/payments/public",
                            json::serialize(json::object{{"order_id", create_order(c)},
                                                         {"method", "card"},
                                                         {"card_number", "4111111111111112"},
                                                         {"expiry_month", 12},
                                                         {"expiry_year", 2030},
                                                         {"cvv", "739"}}),
                            demo_auth());
    EXPECT_EQ(bad.status, 400);
    // Wrong secrets: a guess, and the real one on the wrong key.
    EXPECT_EQ(c.get("/api/v1/orders", auth(kDemoKey, "secret_guess_0123456789")).status, 401);
    EXPECT_EQ(c.get("/api/v1/orders", auth(other.key, kDemoSecret)).status, 401);
    ASSERT_EQ(
        c.post("/api/v1/refunds",
               json::serialize(json::object{{"payment_id", visa}, {"amount", 100}}), demo_auth())
            .status,
        201);
    ASSERT_TRUE(receiver.wait_for("/hook", 1, 10s));
    ASSERT_TRUE(
        eventually([&] { return server->log().find("webhook_attempt") != std::string::npos; }));

    const std::string log = server->log();
    ASSERT_NE(log.find("request"), std::string::npos) << "the log is not being written";
    for (const std::string& secret :
         {std::string(kDemoSecret), other.secret, std::string("secret_guess_0123456789"),
          webhook_secret, std::string("4111111111111111"), std::string("4000000000000002"),
          std::string("378282246310005"), std::string("4111111111111112"),
          std::string("411111111111"), std::string("37828224631")}) {
      EXPECT_EQ(log.find(secret), std::string::npos) << "found " << secret << " in:\n" << log;
    }
    // The field's name as a key, not the bare letters: a random id (here
    // mrc_UHTLxuINcvvbOF75, once) may hold "cvv" by chance.
    for (const std::string_view cvv :
         {"\"739\"", "=739 ", "\"8362\"", "=8362 ", "\"cvv\"", "cvv=", "cvv:"}) {
      EXPECT_EQ(log.find(cvv), std::string::npos) << "found " << cvv << " in:\n" << log;
    }
  }
}

}  // namespace
}  // namespace paygate::test
