// Razorpay Checkout's server side: /v1/checkout.js, and the result of a
// checkout payment that the script hands the page (razorpay_signature for a
// success, Razorpay's error for a failure), signed with the merchant's API
// secret kept sealed by the master key.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <string>

#include "core/crypto.h"
#include "flows.h"
#include "harness.h"

namespace paygate::test {
namespace {

namespace json = boost::json;

constexpr std::string_view kOtherKey =
    "1d2c3b4a59687f8e9dacbbcad9e8f70615243342516f7e8d9cabbac9d8e7f605";

bool has(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// What validatePaymentVerification computes, written out here rather than
// taken from the server's code.
std::string expected_signature(std::string_view secret, std::string_view order_id,
                               std::string_view payment_id) {
  return hmac_sha256_hex(secret, std::string(order_id) + "|" + std::string(payment_id));
}

std::string result_path(std::string_view payment_id, std::string_view key) {
  return "/v1/checkout/payments/" + std::string(payment_id) + "?key_id=" + std::string(key);
}

// A checkout payment as the hosted checkout makes one, with the publishable
// key alone (no secret: nothing here authenticates the merchant).
struct CheckoutPayment {
  std::string order_id;
  std::string payment_id;
};
CheckoutPayment pay_publicly(HttpClient& c, std::string_view key, json::object instrument) {
  const Headers publishable{{"X-Api-Key", std::string(key)}, {"Content-Type", "application/json"}};
  const auto order = c.post("/api/v1/orders/public", R"({"amount": 50000})", publishable);
  EXPECT_EQ(order.status, 201) << order.body;
  if (order.status != 201) return {};
  CheckoutPayment out{str(object_of(order).at("id")), {}};
  instrument["order_id"] = out.order_id;
  const auto payment = c.post("/api/v1/payments/public", json::serialize(instrument), publishable);
  EXPECT_EQ(payment.status, 201) << payment.body;
  if (payment.status != 201) return out;
  out.payment_id = str(object_of(payment).at("id"));
  return out;
}

// Polls the checkout result until the payment is no longer "created".
HttpResponse settled_result(HttpClient& c, std::string_view payment_id, std::string_view key) {
  HttpResponse last;
  const bool settled = eventually([&] {
    last = c.get(result_path(payment_id, key));
    return last.status != 200 || object_of(last).at("status") != "created";
  });
  EXPECT_TRUE(settled) << last.body;
  return last;
}

TEST(RazorpayCheckout, TheScriptIsServedAndNeverRateLimited) {
  auto server = TestServer::start(ServerOptions{
      true,
      {},
      {{"PAYGATE_RATE_LIMIT", "1/min,burst=1"}, {"PAYGATE_PUBLIC_RATE_LIMIT", "1/min,burst=2"}}});
  auto c = server->client();
  for (int i = 0; i < 5; ++i) {
    const auto script = c.get("/v1/checkout.js");
    ASSERT_EQ(script.status, 200) << "fetch " << i << ": " << script.body;
    EXPECT_EQ(script.header("Content-Type"), "text/javascript; charset=utf-8");
    EXPECT_TRUE(has(script.body, "window.Razorpay")) << script.body.substr(0, 200);
    EXPECT_EQ(script.header("X-RateLimit-Limit"), "");
  }
  // The result is the shopper's, limited per address like the public endpoints.
  const auto first = c.get(result_path("pay_AAAAAAAAAAAAAAAA", kDemoKey));
  EXPECT_EQ(first.header("X-RateLimit-Limit"), "2") << first.body;
}

TEST(RazorpayCheckout, ASuccessIsSignedWithTheKeySecret) {
  auto server = TestServer::start();
  auto c = server->client();
  // The demo merchant, and one made with the CLI: each signed with its own
  // secret, sealed as it was made (neither has authenticated here).
  const MerchantCreds b = create_merchant(*server, "B");
  for (const auto& [key, secret] :
       {std::pair{std::string(kDemoKey), std::string(kDemoSecret)}, std::pair{b.key, b.secret}}) {
    const auto paid = pay_publicly(c, key, card("4111111111111111"));
    const auto res = settled_result(c, paid.payment_id, key);
    ASSERT_EQ(res.status, 200) << res.body;
    const auto body = object_of(res);
    EXPECT_EQ(body.at("status"), "captured") << res.body;
    EXPECT_EQ(str(body.at("razorpay_payment_id")), paid.payment_id);
    EXPECT_EQ(str(body.at("razorpay_order_id")), paid.order_id);
    EXPECT_EQ(str(body.at("razorpay_signature")),
              expected_signature(secret, paid.order_id, paid.payment_id))
        << key;
    EXPECT_FALSE(body.contains("error")) << res.body;
    // Asked from the merchant's own page (another origin).
    EXPECT_EQ(res.header("Access-Control-Allow-Origin"), "*");
    EXPECT_EQ(res.header("Cache-Control"), "no-store");
  }
  EXPECT_FALSE(has(server->log(), b.secret)) << "the secret is never logged";
}

TEST(RazorpayCheckout, AFailureHasRazorpaysErrorAndNoSignature) {
  auto server = TestServer::start();
  auto c = server->client();
  for (const auto& [instrument, reason] :
       {std::pair{card("4000000000000002"), "card_declined"}, std::pair{upi("failure@upi"), ""}}) {
    const auto paid = pay_publicly(c, kDemoKey, instrument);
    const auto res = settled_result(c, paid.payment_id, kDemoKey);
    ASSERT_EQ(res.status, 200) << res.body;
    const auto body = object_of(res);
    EXPECT_EQ(body.at("status"), "failed") << res.body;
    EXPECT_FALSE(body.contains("razorpay_signature")) << res.body;
    const auto& error = body.at("error").as_object();
    EXPECT_EQ(error.at("code"), "BAD_REQUEST_ERROR") << res.body;
    EXPECT_FALSE(str(error.at("description")).empty()) << res.body;
    for (const char* field : {"source", "reason"}) {
      EXPECT_TRUE(error.at(field).is_string()) << field << ": " << res.body;
    }
    EXPECT_EQ(error.at("step"), "payment_authorization") << res.body;
    if (*reason != '\0') {
      EXPECT_EQ(error.at("reason"), reason) << res.body;
    }
    // The same as the payment entity's error fields.
    const auto entity = get_payment(c, paid.payment_id);
    EXPECT_EQ(error.at("description"), entity.at("error_description"));
    const auto& metadata = error.at("metadata").as_object();
    EXPECT_EQ(str(metadata.at("order_id")), paid.order_id);
    EXPECT_EQ(str(metadata.at("payment_id")), paid.payment_id);
  }
}

TEST(RazorpayCheckout, APendingPaymentHasNoSignatureYet) {
  auto server =
      TestServer::start(ServerOptions{true, {}, {{"PAYGATE_PROCESSING_DELAY_MS", "60000"}}});
  auto c = server->client();
  const auto paid = pay_publicly(c, kDemoKey, upi());
  const auto res = c.get(result_path(paid.payment_id, kDemoKey));
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(object_of(res).at("status"), "created") << res.body;
  EXPECT_FALSE(object_of(res).contains("razorpay_signature")) << res.body;
}

TEST(RazorpayCheckout, AnotherMerchantsPaymentIsNotFound) {
  auto server = TestServer::start();
  auto c = server->client();
  const MerchantCreds b = create_merchant(*server, "B");
  const auto paid = pay_publicly(c, kDemoKey, upi());
  ASSERT_EQ(settled_result(c, paid.payment_id, kDemoKey).status, 200);
  const auto other = c.get(result_path(paid.payment_id, b.key));
  EXPECT_EQ(other.status, 400) << other.body;  // Razorpay's answer to an unknown id
  EXPECT_EQ(other.error_code(), "BAD_REQUEST_ERROR") << other.body;
  EXPECT_FALSE(has(other.body, "\"razorpay_signature\""));
  const auto unknown_key = c.get(result_path(paid.payment_id, "key_nobody"));
  EXPECT_EQ(unknown_key.status, 401) << unknown_key.body;
  // Errors carry CORS too, so the page can read them.
  EXPECT_EQ(other.header("Access-Control-Allow-Origin"), "*");
}

// A merchant made before secrets were kept sealed (here: made without the
// master key) has only the hash: no signature, and a clear error saying why,
// until it authenticates once; then its payments are signed.
TEST(RazorpayCheckout, AnOlderMerchantIsSignedOnceItHasAuthenticated) {
  auto server = TestServer::start();
  auto c = server->client();
  const auto made = run_paygate({"merchant", "create", "--name", "Old", "--email",
                                 "old@example.com", "--database", server->database_url()},
                                {{"PAYGATE_MASTER_KEY", ""}});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const auto m = json::parse(made.out).as_object();
  const std::string key(m.at("api_key").as_string()), secret(m.at("api_secret").as_string());

  const auto before = pay_publicly(c, key, upi());
  const auto unsigned_result = settled_result(c, before.payment_id, key);
  EXPECT_EQ(unsigned_result.status, 409) << unsigned_result.body;
  EXPECT_EQ(unsigned_result.error_code(), "BAD_REQUEST_ERROR");
  EXPECT_FALSE(has(unsigned_result.body, "\"razorpay_signature\"")) << unsigned_result.body;
  EXPECT_TRUE(has(unsigned_result.body, "holds no sealed copy")) << unsigned_result.body;
  EXPECT_FALSE(json::parse(unsigned_result.body).at("error").as_object().contains("field"))
      << unsigned_result.body;

  // One authenticated call, and the same payment is signed.
  EXPECT_EQ(c.get("/api/v1/orders", auth(key, secret)).status, 200);
  const auto signed_result = c.get(result_path(before.payment_id, key));
  ASSERT_EQ(signed_result.status, 200) << signed_result.body;
  EXPECT_EQ(str(object_of(signed_result).at("razorpay_signature")),
            expected_signature(secret, before.order_id, before.payment_id));
  // A wrong secret seals nothing: it is refused before.
  EXPECT_EQ(c.get("/api/v1/orders", auth(key, "secret_wrong")).status, 401);
  // Kept across restarts: it is in the database, sealed.
  server->restart();
  c = server->client();
  const auto after_restart = c.get(result_path(before.payment_id, key));
  EXPECT_EQ(after_restart.status, 200) << after_restart.body;
  EXPECT_FALSE(has(server->log(), secret)) << "the secret is never logged";
}

// A rotation of the master key reseals the merchants' secrets with the webhook
// secrets: after it, the new key alone still signs.
TEST(RazorpayCheckout, AMasterKeyRotationResealsTheSecret) {
  auto server = TestServer::start();
  auto c = server->client();
  const MerchantCreds b = create_merchant(*server, "B");
  const auto demo_paid = pay_publicly(c, kDemoKey, upi());
  const auto b_paid = pay_publicly(c, b.key, upi());
  ASSERT_EQ(settled_result(c, demo_paid.payment_id, kDemoKey).status, 200);
  ASSERT_EQ(settled_result(c, b_paid.payment_id, b.key).status, 200);

  const TempDir keys;
  const std::string old_key_file = keys.path() + "/old.key";
  { std::ofstream(old_key_file) << kMasterKey << "\n"; }
  ServerOptions rotating;
  rotating.args = {"--previous-master-key-file", old_key_file};
  rotating.env = {{"PAYGATE_MASTER_KEY", std::string(kOtherKey)}};
  server->relaunch(rotating);
  EXPECT_TRUE(has(server->log(), "and 2 merchant secrets resealed")) << server->log();

  ServerOptions rotated;
  rotated.env = {{"PAYGATE_MASTER_KEY", std::string(kOtherKey)}};
  server->relaunch(rotated);
  c = server->client();
  for (const auto& [paid, key, secret] :
       {std::tuple{demo_paid, std::string(kDemoKey), std::string(kDemoSecret)},
        std::tuple{b_paid, b.key, b.secret}}) {
    const auto res = c.get(result_path(paid.payment_id, key));
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(str(object_of(res).at("razorpay_signature")),
              expected_signature(secret, paid.order_id, paid.payment_id));
  }
}

// The sealed copy is no copy of the secret: the database holds neither it nor
// anything that opens without the master key.
TEST(RazorpayCheckout, TheSealedSecretIsNotInTheDatabaseFile) {
  PAYGATE_SQLITE_ONLY("reads the SQLite file");
  auto server = TestServer::start();
  const MerchantCreds b = create_merchant(*server, "B");
  EXPECT_EQ(server->stop(SIGTERM), 0);
  std::string bytes;
  for (const char* suffix : {"", "-wal"}) {
    std::ifstream in(server->db_path() + suffix, std::ios::binary);
    bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  ASSERT_TRUE(has(bytes, b.key));
  EXPECT_FALSE(has(bytes, b.secret));
  EXPECT_FALSE(has(bytes, b.secret.substr(std::string_view("secret_").size())));
  EXPECT_FALSE(has(bytes, kDemoSecret));
}

}  // namespace
}  // namespace paygate::test
