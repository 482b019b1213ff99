// The OpenAPI description must never drift from the server: every route the
// router knows (test-mode routes included) is described, every described path
// is routed, and the webhook events are the ones the server sends.
#include "api/openapi.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <set>
#include <string>

#include "api/routes.h"
#include "core/processor.h"
#include "core/secret_box.h"
#include "core/webhook.h"
#include "store/database.h"

namespace paygate {
namespace {

namespace fs = std::filesystem;

bool is_api(std::string_view pattern);

// The router paygate serves in test mode (the mode with the most routes),
// built on a throwaway database. No handler runs.
class AllRoutes {
 public:
  AllRoutes()
      : dir_(fs::temp_directory_path() / ("paygate_openapi_" + std::to_string(::getpid()))) {
    fs::create_directories(dir_);
    config_.test_mode = true;
    auto url = parse_database_url("sqlite://" + (dir_ / "routes.db").string());
    EXPECT_TRUE(url.has_value());
    auto db = store::open_database(*url, store::DatabaseOptions{});
    EXPECT_TRUE(db.has_value()) << (db ? "" : db.error().description);
    db_ = std::move(*db);
    merchants_.emplace(*db_, box_);
    orders_.emplace(*db_);
    payments_.emplace(*db_, processor_, formats_, PaymentSettings{}, nullptr);
    refunds_.emplace(*db_, processor_, formats_, RefundSettings{0}, nullptr);
    idempotency_.emplace(*db_, box_, 0, 0);
    webhooks_.emplace(*db_, box_, formats_, nullptr);
    stats_.emplace(*db_);
    events_.emplace(*db_, 0, nullptr);
    event_hub_.emplace(*db_, std::chrono::milliseconds(1000));
    services_.emplace(api::Services{
        config_, *db_, *merchants_, *orders_, *payments_, *refunds_, *idempotency_, *webhooks_,
        *stats_, metrics_, std::chrono::steady_clock::now(), [] { return false; },
        "key_test_abc123", *events_, *event_hub_, streams_, request_log_});
    api::add_routes(router_, *services_);
  }
  ~AllRoutes() {
    services_.reset();
    event_hub_.reset();
    events_.reset();
    stats_.reset();
    webhooks_.reset();
    idempotency_.reset();
    refunds_.reset();
    payments_.reset();
    orders_.reset();
    merchants_.reset();
    if (db_) db_->stop();
    db_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // "GET /api/v1/orders/{id}", ... for every route of the HTTP API. The web
  // pages and their assets (/checkout, /docs, /static/..., embedded files) are
  // not part of it; everything under /api/ is, and so are /health and /metrics.
  std::set<std::string> routes() const {
    std::set<std::string> out;
    for (const auto& [method, pattern] : router_.routes()) {
      if (!is_api(pattern)) continue;
      out.insert(std::string(http::to_string(method)) + " " + pattern);
    }
    return out;
  }

 private:
  fs::path dir_;
  Config config_;
  const SecretBox box_{KeyRing{derive_data_keys(std::string(kMasterKeyBytes, 'k')), std::nullopt}};
  SimulatedProcessor processor_{"unit-test-fingerprint-key", 0.0};
  const EventFormats formats_;
  std::unique_ptr<store::Database> db_;
  std::optional<MerchantDirectory> merchants_;
  std::optional<OrderService> orders_;
  std::optional<PaymentService> payments_;
  std::optional<RefundService> refunds_;
  std::optional<IdempotencyService> idempotency_;
  std::optional<WebhookService> webhooks_;
  std::optional<StatsService> stats_;
  std::optional<EventLogService> events_;
  std::optional<EventHub> event_hub_;
  StreamCounter streams_{StreamLimits{}};
  http::RequestLog request_log_;
  metrics::Registry metrics_;
  std::optional<api::Services> services_;
  http::Router router_;
};

bool is_api(std::string_view pattern) {
  return pattern.starts_with("/api/") || pattern == "/health" || pattern == "/metrics";
}

boost::json::object description() {
  return boost::json::parse(api::openapi_json()).as_object();
}

// "GET /api/v1/orders/{id}", ... for every operation of the description.
std::set<std::string> described_operations() {
  static const std::set<std::string> kMethods = {"get",     "put",  "post",  "delete",
                                                 "options", "head", "patch", "trace"};
  const auto doc = description();  // kept: a temporary would die before the loop ran
  std::set<std::string> out;
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    for (const auto& [method, op] : item.as_object()) {
      if (!kMethods.contains(std::string(method))) continue;  // "parameters", "summary", ...
      std::string upper(method);
      for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.insert(upper + " " + std::string(path));
    }
  }
  return out;
}

TEST(OpenApi, IsOpenApi31) {
  const auto doc = description();
  EXPECT_TRUE(doc.at("openapi").as_string().starts_with("3.1."));
}

TEST(OpenApi, EveryRouteIsDescribed) {
  const std::set<std::string> described = described_operations();
  for (const auto& route : AllRoutes().routes()) {
    EXPECT_TRUE(described.contains(route))
        << route << " is served but missing from openapi/paygate.yaml";
  }
}

TEST(OpenApi, EveryDescribedOperationIsRouted) {
  const std::set<std::string> routed = AllRoutes().routes();
  ASSERT_FALSE(routed.empty());
  for (const auto& op : described_operations()) {
    EXPECT_TRUE(routed.contains(op))
        << op << " is in openapi/paygate.yaml but the server has no such route";
  }
}

TEST(OpenApi, WebhookEventsAreTheOnesTheServerSends) {
  std::set<std::string> expected(kSubscribableEvents.begin(), kSubscribableEvents.end());
  expected.insert(std::string(kEventWebhookTest));
  const auto doc = description();
  std::set<std::string> described;
  for (const auto& [name, item] : doc.at("webhooks").as_object()) {
    described.insert(std::string(name));
  }
  EXPECT_EQ(described, expected);
}

}  // namespace
}  // namespace paygate
