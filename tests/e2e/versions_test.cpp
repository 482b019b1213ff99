// Versions a receiver can order events by (issue #19, part 5): every change
// to a payment raises its version, refund processing included, and the
// events of one object carry increasing versions (payment.captured of an
// auto-captured payment after its payment.success).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "flows.h"
#include "harness.h"
#include "receiver.h"

namespace paygate::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::string_view kRefunds = "/api/v1/refunds";
constexpr std::string_view kWebhooks = "/api/v1/webhooks";

std::int64_t version_of(const json::object& o) {
  const auto* v = o.if_contains("version");
  if (v == nullptr || !v->is_int64()) {
    ADD_FAILURE() << "no integer version in " << json::serialize(o);
    return -1;
  }
  return v->get_int64();
}

// The payment of the first event of this type about payment id; {} when none came.
json::object payment_event(const Receiver& receiver, std::string_view type, std::string_view id) {
  for (const auto& r : receiver.requests("/hooks")) {
    boost::system::error_code ec;
    const auto v = json::parse(r.body, ec);
    if (ec || !v.is_object() || str(v.at("event")) != type) continue;
    const auto& p = v.at("data").as_object().at("payment").as_object();
    if (str(p.at("id")) == id) return p;
  }
  return {};
}

TEST(Versions, CapturedEventFollowsSuccessAndRefundsRaiseThePaymentsVersion) {
  Receiver receiver;
  auto server = TestServer::start();
  auto c = server->client();
  const json::object hook{{"url", receiver.url("/hooks")}};
  ASSERT_EQ(c.post(kWebhooks, json::serialize(hook), demo_auth()).status, 201);

  // Auto-captured (the checkout's endpoint): success and capture in one
  // transaction, yet two versions, the capture's the higher.
  const std::string id = captured_payment(c);
  ASSERT_FALSE(id.empty());
  json::object success;
  json::object captured;
  ASSERT_TRUE(eventually(
      [&] {
        success = payment_event(receiver, "payment.success", id);
        captured = payment_event(receiver, "payment.captured", id);
        return !success.empty() && !captured.empty();
      },
      10s));
  EXPECT_GT(version_of(captured), version_of(success))
      << json::serialize(success) << " / " << json::serialize(captured);
  EXPECT_EQ(success.at("captured"), false) << json::serialize(success);
  EXPECT_EQ(captured.at("captured"), true) << json::serialize(captured);
  const auto before = get_payment(c, id);
  EXPECT_EQ(version_of(before), version_of(captured)) << json::serialize(before);

  // Processing a refund changes amount_refunded, refund_status and
  // updated_at: a change of the payment, so a higher version.
  const json::object body{{"payment_id", id}, {"amount", 1000}};
  const auto created = c.post(kRefunds, json::serialize(body), demo_auth());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string refund = str(object_of(created).at("id"));
  json::object r;
  ASSERT_TRUE(eventually(
      [&] {
        r = object_of(c.get(std::string(kRefunds) + "/" + refund, demo_auth()));
        return r.contains("status") && str(r.at("status")) != "PENDING";
      },
      10s))
      << json::serialize(r);
  ASSERT_EQ(str(r.at("status")), "PROCESSED") << json::serialize(r);
  const auto after = get_payment(c, id);
  EXPECT_EQ(after.at("amount_refunded"), 1000) << json::serialize(after);
  EXPECT_EQ(str(after.at("refund_status")), "partial") << json::serialize(after);
  EXPECT_GT(version_of(after), version_of(before))
      << json::serialize(before) << " / " << json::serialize(after);
}

}  // namespace
}  // namespace paygate::test
