// Webhook formats without a server: which Razorpay events each of paygate's
// domain events becomes, the bodies Razorpay's format renders (from objects
// given, so no database), paygate's own body unchanged, the events each
// format accepts, and the headers of a delivery in each format.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "api/razorpay/webhook_events.h"
#include "core/crypto.h"
#include "core/event_format.h"
#include "core/events.h"
#include "core/render.h"
#include "core/webhook.h"
#include "core/webhooks.h"
#include "webhooks/signing.h"

namespace paygate {
namespace {

namespace json = boost::json;
using api::razorpay::WebhookEvents;

constexpr Micros kAt = 1'767'000'000'123'456;  // 2025-12-29T09:20:00.123456Z

std::vector<std::string> names(std::span<const std::string_view> s) {
  return {s.begin(), s.end()};
}

Payment captured_payment() {
  Payment p;
  p.id = "pay_AAAAAAAAAAAAAAAA";
  p.order_id = "order_BBBBBBBBBBBBBBBB";
  p.merchant_id = "mrc_testmerchant0001";
  p.amount = 50000;
  p.currency = "INR";
  p.method = "upi";
  p.vpa = "success@upi";
  p.status = std::string(kPaymentSuccess);
  p.captured = true;
  p.created_at = kAt - 5'000'000;
  p.updated_at = kAt;
  return p;
}

Order paid_order() {
  Order o;
  o.id = "order_BBBBBBBBBBBBBBBB";
  o.merchant_id = "mrc_testmerchant0001";
  o.amount = 50000;
  o.currency = "INR";
  o.status = std::string(kOrderPaid);
  o.notes_json = "{}";
  o.attempts = 1;
  o.created_at = kAt - 9'000'000;
  o.updated_at = kAt;
  return o;
}

Refund processed_refund() {
  Refund r;
  r.id = "rfnd_CCCCCCCCCCCCCCCC";
  r.payment_id = "pay_AAAAAAAAAAAAAAAA";
  r.merchant_id = "mrc_testmerchant0001";
  r.amount = 20000;
  r.status = std::string(kRefundProcessed);
  r.created_at = kAt - 1'000'000;
  r.updated_at = kAt;
  return r;
}

json::object render(std::string_view event, const DomainEvent& e) {
  auto body = WebhookEvents{}.render("evt_DDDDDDDDDDDDDDDD", event, e);
  EXPECT_TRUE(body.has_value()) << (body ? "" : body.error().description);
  if (!body) return {};
  return json::parse(*body).as_object();
}

std::vector<std::string> keys(const json::object& o) {
  std::vector<std::string> out;
  for (const auto& kv : o) out.emplace_back(kv.key());
  return out;
}

// The envelope every Razorpay event has.
void expect_envelope(const json::object& body, std::string_view event,
                     const std::vector<std::string>& contains) {
  EXPECT_EQ(keys(body), (std::vector<std::string>{"entity", "account_id", "event", "contains",
                                                  "payload", "created_at"}))
      << json::serialize(body);
  EXPECT_EQ(body.at("entity"), "event");
  EXPECT_EQ(body.at("account_id"), "acc_testmerchant0001");
  EXPECT_EQ(body.at("event").as_string(), event);
  json::array expected;
  for (const auto& c : contains) expected.emplace_back(c);
  EXPECT_EQ(body.at("contains"), expected) << json::serialize(body);
  EXPECT_EQ(body.at("created_at"), kAt / 1'000'000);
  EXPECT_EQ(keys(body.at("payload").as_object()), contains) << json::serialize(body);
  for (const auto& c : contains) {
    const auto& holder = body.at("payload").at(c).as_object();
    EXPECT_EQ(keys(holder), std::vector<std::string>{"entity"}) << json::serialize(body);
    EXPECT_EQ(holder.at("entity").at("entity").as_string(), c) << json::serialize(body);
  }
}

TEST(RazorpayWebhookEvents, EachDomainEventBecomesRazorpaysEvents) {
  const WebhookEvents f;
  EXPECT_EQ(f.name(), "razorpay");
  EXPECT_EQ(names(f.events()),
            (std::vector<std::string>{"payment.authorized", "payment.captured", "payment.failed",
                                      "order.paid", "refund.created", "refund.processed",
                                      "refund.failed"}));
  EXPECT_EQ(names(f.events_for(kEventPaymentSuccess)),
            std::vector<std::string>{"payment.authorized"});
  EXPECT_EQ(names(f.events_for(kEventPaymentCaptured)),
            (std::vector<std::string>{"payment.captured", "order.paid"}));
  EXPECT_EQ(names(f.events_for(kEventPaymentFailed)), std::vector<std::string>{"payment.failed"});
  EXPECT_EQ(names(f.events_for(kEventRefundCreated)), std::vector<std::string>{"refund.created"});
  EXPECT_EQ(names(f.events_for(kEventRefundProcessed)),
            std::vector<std::string>{"refund.processed"});
  EXPECT_EQ(names(f.events_for(kEventRefundFailed)), std::vector<std::string>{"refund.failed"});
  EXPECT_TRUE(f.events_for(kEventWebhookTest).empty());
  EXPECT_TRUE(f.events_for("payment.authorized").empty());
}

TEST(RazorpayWebhookEvents, PaygatesOwnFormatKeepsTheContractsEvents) {
  const EventFormat& f = paygate_format();
  EXPECT_EQ(f.name(), "paygate");
  EXPECT_EQ(names(f.events()),
            (std::vector<std::string>{"payment.success", "payment.failed", "payment.captured",
                                      "refund.processed", "refund.failed"}));
  for (const auto e : kSubscribableEvents) {
    EXPECT_EQ(names(f.events_for(e)), std::vector<std::string>{std::string(e)});
  }
  EXPECT_TRUE(f.events_for(kEventRefundCreated).empty());
  EXPECT_TRUE(f.events_for(kEventWebhookTest).empty());
}

TEST(RazorpayWebhookEvents, PaygatesBodyIsTheContractsByteForByte) {
  const Payment p = captured_payment();
  DomainEvent e(nullptr, kEventPaymentCaptured, p.merchant_id, kAt);
  e.with_payment(p);
  auto body = paygate_format().render("evt_DDDDDDDDDDDDDDDD", kEventPaymentCaptured, e);
  ASSERT_TRUE(body.has_value());
  JsonWriter w;
  write_payment(w, p);
  EXPECT_EQ(*body,
            event_payload("evt_DDDDDDDDDDDDDDDD", "payment.captured", kAt, "payment", w.str()));

  const Refund r = processed_refund();
  DomainEvent re(nullptr, kEventRefundProcessed, r.merchant_id, kAt);
  re.with_refund(r);
  auto refund_body = paygate_format().render("evt_EEEEEEEEEEEEEEEE", kEventRefundProcessed, re);
  ASSERT_TRUE(refund_body.has_value());
  JsonWriter rw;
  write_refund(rw, r);
  EXPECT_EQ(*refund_body,
            event_payload("evt_EEEEEEEEEEEEEEEE", "refund.processed", kAt, "refund", rw.str()));
}

TEST(RazorpayWebhookEvents, PaymentEventsCarryThePaymentEntity) {
  Payment p = captured_payment();
  p.captured = false;
  DomainEvent e(nullptr, kEventPaymentSuccess, p.merchant_id, kAt);
  e.with_payment(p);
  const auto body = render("payment.authorized", e);
  expect_envelope(body, "payment.authorized", {"payment"});
  const auto& payment = body.at("payload").at("payment").at("entity").as_object();
  EXPECT_EQ(payment.at("id"), "pay_AAAAAAAAAAAAAAAA");
  EXPECT_EQ(payment.at("status"), "authorized");
  EXPECT_EQ(payment.at("captured"), false);
  EXPECT_EQ(payment.at("amount"), 50000);
  EXPECT_EQ(payment.at("order_id"), "order_BBBBBBBBBBBBBBBB");
  EXPECT_EQ(payment.at("created_at"), (kAt - 5'000'000) / 1'000'000);
}

TEST(RazorpayWebhookEvents, FailedPaymentSaysWhyAsRazorpayDoes) {
  Payment p = captured_payment();
  p.captured = false;
  p.status = std::string(kPaymentFailed);
  p.error_code = "PAYMENT_FAILED";
  p.error_description = "the payment was declined";
  DomainEvent e(nullptr, kEventPaymentFailed, p.merchant_id, kAt);
  e.with_payment(p);
  const auto body = render("payment.failed", e);
  expect_envelope(body, "payment.failed", {"payment"});
  const auto& payment = body.at("payload").at("payment").at("entity").as_object();
  EXPECT_EQ(payment.at("status"), "failed");
  EXPECT_EQ(payment.at("error_code"), "BAD_REQUEST_ERROR");
  EXPECT_EQ(payment.at("error_description"), "the payment was declined");
}

TEST(RazorpayWebhookEvents, OrderPaidCarriesThePaymentAndItsOrder) {
  const Payment p = captured_payment();
  const Order o = paid_order();
  DomainEvent e(nullptr, kEventPaymentCaptured, p.merchant_id, kAt);
  e.with_payment(p).with_order(o);
  const auto captured = render("payment.captured", e);
  expect_envelope(captured, "payment.captured", {"payment"});
  EXPECT_EQ(captured.at("payload").at("payment").at("entity").at("status"), "captured");

  const auto paid = render("order.paid", e);
  expect_envelope(paid, "order.paid", {"payment", "order"});
  const auto& order = paid.at("payload").at("order").at("entity").as_object();
  EXPECT_EQ(order.at("id"), "order_BBBBBBBBBBBBBBBB");
  EXPECT_EQ(order.at("status"), "paid");
  EXPECT_EQ(order.at("amount_paid"), 50000);
  EXPECT_EQ(order.at("amount_due"), 0);
  EXPECT_EQ(order.at("attempts"), 1);
}

TEST(RazorpayWebhookEvents, RefundEventsCarryTheRefundAndItsPayment) {
  Payment p = captured_payment();
  p.amount_refunded = 20000;
  const Refund r = processed_refund();
  DomainEvent e(nullptr, kEventRefundProcessed, r.merchant_id, kAt);
  e.with_refund(r).with_payment(p);
  const auto body = render("refund.processed", e);
  expect_envelope(body, "refund.processed", {"refund", "payment"});
  const auto& refund = body.at("payload").at("refund").at("entity").as_object();
  EXPECT_EQ(refund.at("id"), "rfnd_CCCCCCCCCCCCCCCC");
  EXPECT_EQ(refund.at("payment_id"), "pay_AAAAAAAAAAAAAAAA");
  EXPECT_EQ(refund.at("amount"), 20000);
  EXPECT_EQ(refund.at("currency"), "INR");
  EXPECT_EQ(refund.at("status"), "processed");
  const auto& payment = body.at("payload").at("payment").at("entity").as_object();
  EXPECT_EQ(payment.at("amount_refunded"), 20000);
  EXPECT_EQ(payment.at("refund_status"), "partial");
}

TEST(RazorpayWebhookEvents, WhatCannotBeFoundIsAnErrorNotABody) {
  // A refund event without its payment and no connection to read it on.
  const Refund r = processed_refund();
  DomainEvent e(nullptr, kEventRefundCreated, r.merchant_id, kAt);
  e.with_refund(r);
  EXPECT_FALSE(WebhookEvents{}.render("evt_DDDDDDDDDDDDDDDD", "refund.created", e).has_value());
}

TEST(RazorpayWebhookEvents, TestEventIsShapedLikeTheOthers) {
  DomainEvent e(nullptr, kEventWebhookTest, "mrc_testmerchant0001", kAt);
  e.with_object("test", R"({"webhook_id":"w1","message":"hi"})");
  const auto body = render("webhook.test", e);
  EXPECT_EQ(body.at("event"), "webhook.test");
  EXPECT_EQ(body.at("contains"), json::array{"test"});
  EXPECT_EQ(body.at("payload").at("test").at("entity").at("webhook_id"), "w1");
}

TEST(RazorpayWebhookEvents, AccountIdIsTheMerchantsIdAsRazorpaySpellsIt) {
  EXPECT_EQ(api::razorpay::account_id("mrc_testmerchant0001"), "acc_testmerchant0001");
  EXPECT_EQ(api::razorpay::account_id("other"), "acc_other");
}

TEST(WebhookFormats, EachFormatAcceptsItsOwnEventNames) {
  const WebhookEvents razorpay;
  const EventFormats formats({&razorpay});
  EXPECT_EQ(formats.names(), "paygate, razorpay");
  EXPECT_EQ(formats.find("razorpay"), &razorpay);
  EXPECT_EQ(formats.find("paygate"), &paygate_format());
  EXPECT_EQ(formats.find("stripe"), nullptr);

  EXPECT_TRUE(validate_event_list(razorpay, {"payment.authorized", "order.paid"}).has_value());
  EXPECT_TRUE(validate_event_list(paygate_format(), {"payment.success"}).has_value());
  for (const auto& [format, event] : std::vector<std::pair<const EventFormat*, std::string>>{
           {&razorpay, "payment.success"},
           {&paygate_format(), "payment.authorized"},
           {&paygate_format(), "refund.created"},
           {&razorpay, "webhook.test"}}) {
    const auto s = validate_event_list(*format, {event});
    ASSERT_FALSE(s.has_value()) << format->name() << " " << event;
    EXPECT_EQ(s.error().field, "events");
    EXPECT_NE(s.error().description.find(event), std::string::npos) << s.error().description;
  }
  EXPECT_FALSE(validate_event_list(razorpay, {}).has_value());
  // paygate's message is the contract's, as before formats.
  EXPECT_EQ(validate_event_list(paygate_format(), {"x"}).error().description,
            "unknown event x; events are payment.success, payment.failed, payment.captured, "
            "refund.processed, refund.failed");
}

std::vector<std::string> header_names(const webhooks::HeaderList& h) {
  std::vector<std::string> out;
  for (const auto& [k, v] : h) out.push_back(k);
  return out;
}

std::string header(const webhooks::HeaderList& h, std::string_view name) {
  for (const auto& [k, v] : h) {
    if (k == name) return v;
  }
  return {};
}

TEST(WebhookFormats, RazorpayDeliveriesAreSignedRazorpaysWay) {
  WebhookEndpoint endpoint;
  endpoint.secret = "new-secret";
  endpoint.previous_secret = "old-secret";
  endpoint.previous_secret_expires_at = kAt + 1'000'000;  // the overlap still runs
  Event event;
  event.id = "evt_DDDDDDDDDDDDDDDD";
  event.payload = R"({"entity":"event"})";
  event.format = std::string(kFormatRazorpay);
  const auto h = webhooks::delivery_headers(endpoint, event, kAt);
  EXPECT_EQ(header_names(h), (std::vector<std::string>{"Content-Type", "X-Razorpay-Signature",
                                                       "X-Razorpay-Event-Id"}));
  EXPECT_EQ(header(h, "Content-Type"), "application/json");
  // One signature: the current secret's, even while the old one overlaps.
  EXPECT_EQ(header(h, "X-Razorpay-Signature"), hmac_sha256_hex("new-secret", event.payload));
  EXPECT_EQ(header(h, "X-Razorpay-Event-Id"), "evt_DDDDDDDDDDDDDDDD");
}

TEST(WebhookFormats, PaygateDeliveriesKeepTheirHeaders) {
  WebhookEndpoint endpoint;
  endpoint.secret = "new-secret";
  endpoint.previous_secret = "old-secret";
  endpoint.previous_secret_expires_at = kAt + 1'000'000;
  Event event;
  event.id = "evt_DDDDDDDDDDDDDDDD";
  event.payload = R"({"id":"evt_DDDDDDDDDDDDDDDD"})";
  const auto h = webhooks::delivery_headers(endpoint, event, kAt);
  EXPECT_EQ(header_names(h),
            (std::vector<std::string>{"Content-Type", "X-Signature", "X-Webhook-Signature",
                                      "webhook-id", "webhook-timestamp", "webhook-signature"}));
  EXPECT_EQ(header(h, "X-Signature"), hmac_sha256_hex("new-secret", event.payload));
  EXPECT_EQ(header(h, "webhook-timestamp"), std::to_string(kAt / 1'000'000));
  EXPECT_EQ(header(h, "webhook-signature"),
            webhooks::standard_signature({"new-secret", "old-secret"}, event.id, kAt / 1'000'000,
                                         event.payload));
  // Once the overlap is over, the old secret signs no more.
  const auto later = webhooks::delivery_headers(endpoint, event, kAt + 2'000'000);
  EXPECT_EQ(header(later, "webhook-signature"),
            webhooks::standard_signature({"new-secret"}, event.id, (kAt + 2'000'000) / 1'000'000,
                                         event.payload));
}

}  // namespace
}  // namespace paygate
