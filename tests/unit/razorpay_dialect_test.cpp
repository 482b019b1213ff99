// The Razorpay dialect's pure pieces: status mapping, entity shapes, the
// error envelope and its statuses, and HTTP Basic credentials.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "api/razorpay/errors.h"
#include "api/razorpay/input.h"
#include "api/razorpay/render.h"
#include "core/crypto.h"
#include "http/basic_auth.h"

namespace paygate {
namespace {

namespace json = boost::json;
namespace rzp = api::razorpay;

Payment payment(std::string_view status, bool captured, std::int64_t refunded = 0) {
  Payment p;
  p.id = "pay_1";
  p.order_id = "order_1";
  p.amount = 50000;
  p.currency = "INR";
  p.method = std::string(kMethodCard);
  p.status = std::string(status);
  p.captured = captured;
  p.amount_refunded = refunded;
  p.card_last4 = "1111";
  p.card_network = "visa";
  p.created_at = 1'700'000'000'123'456;
  return p;
}

json::object rendered(const Payment& p) {
  JsonWriter w;
  rzp::write_payment(w, p);
  return json::parse(w.str()).as_object();
}

TEST(RazorpayRender, PaymentStatusesMapFromPaygates) {
  EXPECT_EQ(rzp::payment_status(payment(kPaymentCreated, false)), "created");
  EXPECT_EQ(rzp::payment_status(payment(kPaymentProcessing, false)), "created");
  EXPECT_EQ(rzp::payment_status(payment(kPaymentSuccess, false)), "authorized");
  EXPECT_EQ(rzp::payment_status(payment(kPaymentSuccess, true)), "captured");
  EXPECT_EQ(rzp::payment_status(payment(kPaymentSuccess, true, 100)), "captured");
  EXPECT_EQ(rzp::payment_status(payment(kPaymentSuccess, true, 50000)), "refunded");
  EXPECT_EQ(rzp::payment_status(payment(kPaymentFailed, false)), "failed");
}

TEST(RazorpayRender, APaymentHasRazorpaysFieldsInUnixSeconds) {
  const auto p = rendered(payment(kPaymentSuccess, true, 100));
  EXPECT_EQ(p.at("entity"), "payment");
  EXPECT_EQ(p.at("created_at"), 1'700'000'000);
  EXPECT_EQ(p.at("refund_status"), "partial");
  EXPECT_EQ(p.at("card").at("last4"), "1111");
  EXPECT_EQ(p.at("card").at("network"), "Visa");  // Razorpay's display name
  EXPECT_EQ(p.at("fee"), 0);
  EXPECT_TRUE(p.at("notes").is_array());
  EXPECT_TRUE(p.at("vpa").is_null());
  EXPECT_TRUE(p.at("error_code").is_null());
}

TEST(RazorpayRender, AFailedPaymentCarriesRazorpaysErrorFields) {
  Payment declined = payment(kPaymentFailed, false);
  declined.error_code = "CARD_DECLINED";
  declined.error_description = "the card was declined";
  const auto p = rendered(declined);
  EXPECT_EQ(p.at("error_code"), "BAD_REQUEST_ERROR");
  EXPECT_EQ(p.at("error_source"), "bank");
  EXPECT_EQ(p.at("error_reason"), "card_declined");
  EXPECT_EQ(p.at("error_step"), "payment_authorization");
  EXPECT_EQ(p.at("error_description"), "the card was declined");
  Payment timed_out = payment(kPaymentFailed, false);
  timed_out.error_code = "PROCESSING_TIMEOUT";
  EXPECT_EQ(rendered(timed_out).at("error_code"), "GATEWAY_ERROR");
}

TEST(RazorpayRender, AnOrderIsDueUntilPaid) {
  Order o;
  o.id = "order_1";
  o.amount = 50000;
  o.currency = "INR";
  o.status = std::string(kOrderAttempted);
  o.notes_json = R"({"a":"b"})";
  o.attempts = 2;
  JsonWriter w;
  rzp::write_order(w, o);
  auto v = json::parse(w.str()).as_object();
  EXPECT_EQ(v.at("amount_due"), 50000);
  EXPECT_EQ(v.at("amount_paid"), 0);
  EXPECT_EQ(v.at("attempts"), 2);
  EXPECT_EQ(v.at("notes").at("a"), "b");
  o.status = std::string(kOrderPaid);
  JsonWriter paid;
  rzp::write_order(paid, o);
  v = json::parse(paid.str()).as_object();
  EXPECT_EQ(v.at("amount_due"), 0);
  EXPECT_EQ(v.at("amount_paid"), 50000);
}

TEST(RazorpayRender, RefundIdsAreRfndOnV1AndBothFormsAreAccepted) {
  Refund r;
  r.id = "refund_AbC123";
  r.status = std::string(kRefundProcessed);
  JsonWriter w;
  rzp::write_refund(w, r, "INR");
  EXPECT_EQ(json::parse(w.str()).at("id"), "rfnd_AbC123");
  EXPECT_EQ(rzp::paygate_refund_id("rfnd_AbC123"), "refund_AbC123");
  EXPECT_EQ(rzp::paygate_refund_id("refund_AbC123"), "refund_AbC123");
  EXPECT_EQ(rzp::razorpay_refund_id("refund_AbC123"), "rfnd_AbC123");
}

json::object error_of(const http::Reply& r) {
  return json::parse(r.body).as_object().at("error").as_object();
}

TEST(RazorpayErrors, StatusesAndCodesAreRazorpays) {
  const auto unknown_id = rzp::error_reply(Error::not_found("no order with id x"), "req_1");
  EXPECT_EQ(unknown_id.status, 400);
  EXPECT_EQ(error_of(unknown_id).at("description"), "The id provided does not exist");
  const auto unknown_url = rzp::error_reply(Error::no_route("no route for /v1/x"), "req_1");
  EXPECT_EQ(unknown_url.status, 404);
  const auto bad = rzp::error_reply(Error::bad_request("amount must be an integer", "amount"), "r");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(error_of(bad).at("code"), "BAD_REQUEST_ERROR");
  EXPECT_EQ(error_of(bad).at("field"), "amount");
  EXPECT_EQ(error_of(bad).at("source"), "business");
  EXPECT_TRUE(error_of(bad).at("metadata").is_object());
  const auto internal = rzp::error_reply(Error::internal("libpq: host db1 user x"), "r");
  EXPECT_EQ(internal.status, 500);
  EXPECT_EQ(error_of(internal).at("code"), "SERVER_ERROR");
  // The internal description is for the log only.
  EXPECT_EQ(internal.body.find("libpq"), std::string::npos);
  const auto limited = rzp::error_reply(Error::rate_limited("slow down", 7), "r");
  EXPECT_EQ(limited.status, 429);
  ASSERT_FALSE(limited.headers.empty());
  EXPECT_EQ(limited.headers.back().second, "7");
}

TEST(RazorpayInput, APatchChangesNotesAndNothingElse) {
  EXPECT_EQ(rzp::notes_update(R"({"notes":{"a":"b"}})").value(), (json::object{{"a", "b"}}));
  EXPECT_TRUE(rzp::notes_update(R"({"notes":[]})").value().empty());
  EXPECT_EQ(rzp::notes_update(R"({"notes":{},"amount":1})").error().field, "amount");
  EXPECT_EQ(rzp::notes_update(R"({})").error().field, "notes");
  EXPECT_EQ(rzp::notes_update(R"({"notes":"x"})").error().field, "notes");
}

http::Request with_authorization(const std::string& value) {
  http::Request req;
  req.headers.push_back({"Authorization", value});
  return req;
}

TEST(BasicAuth, CredentialsAreDecodedFromTheAuthorizationHeader) {
  const std::string ok = "Basic " + base64_encode("key_1:sec:ret");
  const auto creds = http::basic_credentials(with_authorization(ok));
  ASSERT_TRUE(creds);
  EXPECT_EQ(creds->user, "key_1");
  EXPECT_EQ(creds->password, "sec:ret");  // only the first colon separates
  EXPECT_TRUE(http::basic_credentials(with_authorization("basic " + base64_encode("a:b"))));
  EXPECT_FALSE(http::basic_credentials(with_authorization("Bearer abc")));
  EXPECT_FALSE(http::basic_credentials(with_authorization("Basic !!notbase64")));
  EXPECT_FALSE(http::basic_credentials(with_authorization("Basic " + base64_encode("nocolon"))));
  EXPECT_FALSE(http::basic_credentials(with_authorization("Basic ")));
  EXPECT_FALSE(http::basic_credentials(http::Request{}));
}

}  // namespace
}  // namespace paygate
