// The web side of the server: embedded pages and their headers, CORS on the
// public endpoints, and what the dashboard needs from the API.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "harness.h"

namespace paygate::test {
namespace {

Headers json_auth() {
  Headers h = demo_auth();
  h.emplace_back("Content-Type", "application/json");
  return h;
}

std::string create_order(HttpClient& c) {
  const auto res = c.post("/api/v1/orders", R"({"amount": 50000})", json_auth());
  EXPECT_EQ(res.status, 201) << res.body;
  return str(object_of(res).at("id"));
}

std::vector<std::string> ids_of(const HttpResponse& res) {
  std::vector<std::string> out;
  const auto body = object_of(res);
  if (!body.contains("items")) return out;
  for (const auto& item : body.at("items").as_array()) out.push_back(str(item.at("id")));
  return out;
}

TEST(WebPages, ServedWithSecurityHeadersAndRevalidation) {
  auto server = TestServer::start();
  auto c = server->client();
  for (const std::string path : {"/checkout", "/dashboard", "/demo"}) {
    const auto res = c.get(path);
    ASSERT_EQ(res.status, 200) << path;
    EXPECT_EQ(res.header("Content-Type"), "text/html; charset=utf-8") << path;
    const auto csp = res.header("Content-Security-Policy");
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
    EXPECT_EQ(res.header("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(res.header("X-Frame-Options"), path == "/checkout" ? "" : "DENY") << path;
    const auto etag = res.header("ETag");
    ASSERT_FALSE(etag.empty());
    const auto again = c.get(path, {{"If-None-Match", etag}});
    EXPECT_EQ(again.status, 304) << path;
    EXPECT_TRUE(again.body.empty());
  }
  const auto sdk = c.get("/checkout.js");
  EXPECT_EQ(sdk.status, 200);
  EXPECT_EQ(sdk.header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_NE(sdk.body.find("PayGate"), std::string::npos);
  EXPECT_EQ(c.get("/static/css/checkout.css").header("Content-Type"), "text/css; charset=utf-8");
  EXPECT_EQ(c.get("/static/nope.js").status, 404);
}

TEST(WebPages, DemoOnlyInTestMode) {
  ServerOptions options;
  options.test_mode = false;
  auto server = TestServer::start(options);
  auto c = server->client();
  EXPECT_EQ(c.get("/demo").status, 404);
  EXPECT_EQ(c.get("/checkout").status, 200);
}

TEST(Cors, PublicEndpointsAnswerAnyOriginAndPreflights) {
  auto server = TestServer::start();
  auto c = server->client();
  const Headers origin{{"Origin", "https://shop.example"}};
  const auto preflight =
      c.request("OPTIONS", "/api/v1/payments/public", "",
                {{"Origin", "https://shop.example"},
                 {"Access-Control-Request-Method", "POST"},
                 {"Access-Control-Request-Headers", "content-type,idempotency-key,x-api-key"}});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(preflight.header("Access-Control-Allow-Origin"), "*");
  EXPECT_NE(preflight.header("Access-Control-Allow-Methods").find("POST"), std::string::npos);
  EXPECT_NE(preflight.header("Access-Control-Allow-Headers").find("Idempotency-Key"),
            std::string::npos);
  EXPECT_EQ(c.request("OPTIONS", "/api/v1/orders/public/order_x", "", origin).status, 204);

  const auto created =
      c.post("/api/v1/orders/public", R"({"amount": 50000})",
             {{"Origin", "https://shop.example"}, {"Content-Type", "application/json"}});
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.header("Access-Control-Allow-Origin"), "*");
  // Errors carry it too, so the page can read why.
  const auto missing = c.get("/api/v1/payments/public/pay_AAAAAAAAAAAAAAAA", origin);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.header("Access-Control-Allow-Origin"), "*");
  // The merchant API (secret in headers) is not opened to other origins.
  const auto merchant = c.get("/api/v1/orders", origin);
  EXPECT_EQ(merchant.header("Access-Control-Allow-Origin"), "");
  EXPECT_EQ(c.request("OPTIONS", "/api/v1/orders", "", origin).status, 405);
}

TEST(PaymentsList, FiltersByMethod) {
  auto server = TestServer::start();
  auto c = server->client();
  const auto pay = [&](const std::string& body) {
    const auto res = c.post("/api/v1/payments", body, json_auth());
    EXPECT_EQ(res.status, 201) << res.body;
    return str(object_of(res).at("id"));
  };
  const std::string upi_id =
      pay(R"({"order_id": ")" + create_order(c) + R"(", "method": "upi", "vpa": "a@upi"})");
  const std::string card_id =
      pay(R"({"order_id": ")" + create_order(c) +
          R"(", "method": "card", "card": {"number": "4111111111111111", "expiry_month": 12,
              "expiry_year": 2030, "cvv": "123"}})");
  const auto ids = [&](std::string_view query) {
    const auto res = c.get("/api/v1/payments?" + std::string(query), demo_auth());
    EXPECT_EQ(res.status, 200) << res.body;
    return ids_of(res);
  };
  EXPECT_EQ(ids("method=upi"), std::vector<std::string>{upi_id});
  EXPECT_EQ(ids("method=card"), std::vector<std::string>{card_id});
  EXPECT_EQ(ids("method=card&status=FAILED"), std::vector<std::string>{});
  EXPECT_EQ(ids("").size(), 2u);
  const auto bad = c.get("/api/v1/payments?method=cash", demo_auth());
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.error_code(), "BAD_REQUEST_ERROR");
  EXPECT_EQ(str(object_of(bad).at("error").at("field")), "method");
}

}  // namespace
}  // namespace paygate::test
