#include <gtest/gtest.h>

#include "harness.h"

namespace paygate::test {
namespace {

// The description is served as JSON, without authentication, in any mode.
TEST(OpenApi, ServedAsJson) {
  for (const bool test_mode : {true, false}) {
    ServerOptions options;
    options.test_mode = test_mode;
    auto server = TestServer::start(options);
    const auto res = server->get("/api/v1/openapi.json");
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.header("Content-Type"), "application/json");
    const auto doc = object_of(res);
    EXPECT_TRUE(str(doc.at("openapi")).starts_with("3.1.")) << str(doc.at("openapi"));
    const auto& paths = doc.at("paths").as_object();
    EXPECT_TRUE(paths.contains("/api/v1/orders"));
    EXPECT_TRUE(paths.contains("/api/v1/payments/{id}/capture"));
    EXPECT_TRUE(
        doc.at("components").as_object().at("securitySchemes").as_object().contains("ApiSecret"));
  }
}

// /docs is served in every mode; only test mode hands Swagger UI the demo
// credentials (the contract publishes them; a live server must not).
TEST(OpenApi, DocsConfigHasTheDemoCredentialsOnlyInTestMode) {
  for (const bool test_mode : {true, false}) {
    ServerOptions options;
    options.test_mode = test_mode;
    auto server = TestServer::start(options);
    const auto page = server->get("/docs");
    EXPECT_EQ(page.status, 200);
    EXPECT_TRUE(page.header("Content-Type").starts_with("text/html"));
    EXPECT_NE(page.body.find("/docs/config.js"), std::string::npos);
    const auto config = server->get("/docs/config.js");
    ASSERT_EQ(config.status, 200);
    EXPECT_TRUE(config.header("Content-Type").starts_with("text/javascript"));
    EXPECT_TRUE(config.body.starts_with("window.PAYGATE_DOCS = ")) << config.body;
    EXPECT_EQ(config.body.find(kDemoSecret) != std::string::npos, test_mode) << config.body;
    EXPECT_EQ(config.body.find(kDemoKey) != std::string::npos, test_mode) << config.body;
  }
}

// Exercises the admin endpoints after a payment and a refund settled, so that
// the response validator (make test) checks their answers against the
// description with every block filled in.
TEST(OpenApi, AdminStatsAndMetricsAfterAPaymentAndARefund) {
  auto server = TestServer::start(
      ServerOptions{.test_mode = true, .args = {}, .env = {{"PAYGATE_PROCESSING_DELAY_MS", "0"}}});
  auto c = server->client();
  const auto order = object_of(c.post("/api/v1/orders", R"({"amount": 50000})", demo_auth()));
  const std::string pay_body =
      R"({"order_id": ")" + str(order.at("id")) + R"(", "method": "upi", "vpa": "success@upi"})";
  const auto pay = object_of(c.post("/api/v1/payments", pay_body, demo_auth()));
  const std::string pay_path = "/api/v1/payments/" + str(pay.at("id"));
  ASSERT_TRUE(eventually(
      [&] { return str(object_of(c.get(pay_path, demo_auth())).at("status")) == "SUCCESS"; }));
  ASSERT_EQ(c.post(pay_path + "/capture", "", demo_auth()).status, 200);
  const auto refund =
      c.post("/api/v1/refunds", R"({"payment_id": ")" + str(pay.at("id")) + R"(", "amount": 1000})",
             demo_auth());
  ASSERT_EQ(refund.status, 201) << refund.body;
  const std::string refund_path = "/api/v1/refunds/" + str(object_of(refund).at("id"));
  ASSERT_TRUE(eventually(
      [&] { return str(object_of(c.get(refund_path, demo_auth())).at("status")) == "PROCESSED"; }));

  const auto stats = c.get("/api/v1/admin/stats", demo_auth());
  ASSERT_EQ(stats.status, 200) << stats.body;
  const auto body = object_of(stats);
  EXPECT_EQ(body.at("payments").as_object().at("success").as_int64(), 1);
  EXPECT_EQ(body.at("refunds").as_object().at("amount_refunded").as_int64(), 1000);
  EXPECT_EQ(c.get("/api/v1/admin/stats?from=abc", demo_auth()).status, 400);
  EXPECT_EQ(c.get("/api/v1/admin/stats").status, 401);

  const auto metrics = c.get("/metrics", metrics_auth());
  ASSERT_EQ(metrics.status, 200);
  EXPECT_TRUE(metrics.header("Content-Type").starts_with("text/plain"))
      << metrics.header("Content-Type");
  EXPECT_NE(metrics.body.find("paygate_payments_total"), std::string::npos);
}

}  // namespace
}  // namespace paygate::test
