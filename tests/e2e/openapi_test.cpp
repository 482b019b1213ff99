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

}  // namespace
}  // namespace paygate::test
