// Merchant authentication, end to end: every way to get it wrong is a 401
// with the contract's error object, test mode decides whether a demo merchant
// exists, and secrets never reach the log.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "harness.h"

namespace paygate::test {
namespace {

namespace json = boost::json;

constexpr std::string_view kOrders = "/api/v1/orders";

ServerOptions options_with_args(std::vector<std::string> args) {
  ServerOptions options;
  options.args = std::move(args);
  return options;
}

ServerOptions without_test_mode() {
  ServerOptions options;
  options.test_mode = false;
  return options;
}

// Expects a 401 AUTHENTICATION_ERROR with exactly {"error": {"code",
// "description", "request_id"}}, the request id also in X-Request-Id.
void expect_auth_error(const HttpResponse& res, std::string_view what) {
  EXPECT_EQ(res.status, 401) << what << ": " << res.body;
  EXPECT_EQ(res.header("Content-Type"), "application/json") << what;
  const auto v = res.json();
  ASSERT_TRUE(v.is_object()) << what << ": " << res.body;
  const auto& body = v.as_object();
  EXPECT_EQ(body.size(), 1u) << what << ": " << res.body;
  ASSERT_TRUE(body.contains("error")) << what << ": " << res.body;
  ASSERT_TRUE(body.at("error").is_object()) << what;
  const auto& error = body.at("error").as_object();
  EXPECT_EQ(error.at("code"), "AUTHENTICATION_ERROR") << what;
  ASSERT_TRUE(error.contains("description")) << what;
  ASSERT_TRUE(error.at("description").is_string()) << what;
  EXPECT_FALSE(error.at("description").as_string().empty()) << what;
  ASSERT_TRUE(error.contains("request_id")) << what << ": " << res.body;
  ASSERT_TRUE(error.at("request_id").is_string()) << what;
  EXPECT_FALSE(error.at("request_id").as_string().empty()) << what;
  EXPECT_EQ(error.at("request_id").as_string(), res.header("X-Request-Id")) << what;
  for (const auto& [key, value] : error) {
    EXPECT_TRUE(key == "code" || key == "description" || key == "request_id" || key == "field")
        << what << ": unexpected " << key;
    (void)value;
  }
}

struct Case {
  std::string what;
  Headers headers;
};

std::vector<Case> bad_credentials() {
  return {
      {"no headers", {}},
      {"missing X-Api-Key", {{"X-Api-Secret", std::string(kDemoSecret)}}},
      {"missing X-Api-Secret", {{"X-Api-Key", std::string(kDemoKey)}}},
      {"wrong secret", auth(kDemoKey, "secret_test_wrong0")},
      {"secret with a different length", auth(kDemoKey, "secret_test_xyz7890")},
      {"secret of the wrong case", auth(kDemoKey, "SECRET_TEST_XYZ789")},
      {"unknown key", auth("key_unknown_123", kDemoSecret)},
      {"empty key", auth("", kDemoSecret)},
      {"empty secret", auth(kDemoKey, "")},
      {"both empty", auth("", "")},
      {"key and secret swapped", auth(kDemoSecret, kDemoKey)},
      {"overlong key", auth(std::string(300, 'k'), kDemoSecret)},
  };
}

TEST(Auth, BadCredentialsAre401OnEveryMerchantEndpoint) {
  auto server = TestServer::start();
  const auto created = server->post(kOrders, R"({"amount": 500})", demo_auth());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id(created.json().at("id").as_string());

  auto client = server->client();
  for (const auto& c : bad_credentials()) {
    expect_auth_error(client.post(kOrders, R"({"amount": 500})", c.headers),
                      "POST /orders, " + c.what);
    expect_auth_error(client.get(kOrders, c.headers), "GET /orders, " + c.what);
    expect_auth_error(client.get(std::string(kOrders) + "/" + id, c.headers),
                      "GET /orders/{id}, " + c.what);
  }
  // None of the refused creates made an order.
  const auto list = client.get(kOrders, demo_auth());
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.json().at("count").as_int64(), 1);
}

TEST(Auth, AuthenticationIsCheckedBeforeTheBody) {
  auto server = TestServer::start();
  // A bad body with bad credentials is a 401, not a 400 that reveals validation.
  expect_auth_error(server->post(kOrders, "{not json", auth(kDemoKey, "wrong")), "bad body");
  expect_auth_error(server->post(kOrders, R"({"amount": 1})"), "no credentials");
}

TEST(Auth, RequestIdOfTheErrorMatchesAGivenHeader) {
  auto server = TestServer::start();
  const auto res = server->get(kOrders, {{"X-Request-Id", "client-req-42"}});
  expect_auth_error(res, "given request id");
  EXPECT_EQ(res.header("X-Request-Id"), "client-req-42");
  EXPECT_EQ(res.json().at("error").at("request_id"), "client-req-42");
}

TEST(Auth, GoodCredentialsWork) {
  auto server = TestServer::start();
  EXPECT_EQ(server->get(kOrders, demo_auth()).status, 200);
  // Header names are case-insensitive.
  EXPECT_EQ(server
                ->get(kOrders, {{"x-api-key", std::string(kDemoKey)},
                                {"x-api-secret", std::string(kDemoSecret)}})
                .status,
            200);
}

TEST(Auth, WithoutTestModeThereIsNoDemoMerchant) {
  auto server = TestServer::start(without_test_mode());
  expect_auth_error(server->post("/api/v1/orders/public", R"({"amount": 500})"),
                    "keyless public create");
  expect_auth_error(server->post("/api/v1/orders/public", R"({"amount": 500})",
                                 {{"X-Api-Key", std::string(kDemoKey)}}),
                    "public create with the demo key");
  expect_auth_error(server->post(kOrders, R"({"amount": 500})", demo_auth()), "demo credentials");
  expect_auth_error(server->get(kOrders, demo_auth()), "demo credentials, list");

  // A real merchant works there.
  const auto r =
      server->run_cli({"merchant", "create", "--name", "Real", "--email", "r@example.com"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto m = json::parse(r.out).as_object();
  const std::string key(m.at("api_key").as_string()), secret(m.at("api_secret").as_string());
  EXPECT_EQ(server->post(kOrders, R"({"amount": 500})", auth(key, secret)).status, 201);
  const auto pub =
      server->post("/api/v1/orders/public", R"({"amount": 500})", {{"X-Api-Key", key}});
  EXPECT_EQ(pub.status, 201) << pub.body;
  EXPECT_EQ(pub.json().at("merchant_id"), m.at("id"));
  // And a keyless public create is still refused.
  expect_auth_error(server->post("/api/v1/orders/public", R"({"amount": 500})"),
                    "keyless public create with a merchant present");
}

TEST(Auth, SecretsNeverAppearInTheLog) {
  auto server = TestServer::start(options_with_args({"--log-level", "trace"}));
  const auto r = server->run_cli({"merchant", "create", "--name", "B", "--email", "b@example.com"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto m = json::parse(r.out).as_object();
  const std::string key(m.at("api_key").as_string()), secret(m.at("api_secret").as_string());
  ASSERT_TRUE(secret.starts_with("secret_")) << secret;

  auto client = server->client();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(client.post(kOrders, R"({"amount": 500})", demo_auth()).status, 201);
    EXPECT_EQ(client.get(kOrders, auth(key, secret)).status, 200);
    EXPECT_EQ(client.post(kOrders, "{bad", demo_auth()).status, 400);
    EXPECT_EQ(client.get(kOrders, auth(key, "secret_wrong_guess_1")).status, 401);
    EXPECT_EQ(client.get(kOrders, auth(kDemoKey, secret)).status, 401);
  }
  const std::string log = server->log();
  EXPECT_FALSE(log.empty());
  EXPECT_EQ(log.find(kDemoSecret), std::string::npos) << log;
  EXPECT_EQ(log.find(secret), std::string::npos) << log;
  EXPECT_EQ(log.find("secret_wrong_guess_1"), std::string::npos) << log;
}

}  // namespace
}  // namespace paygate::test
