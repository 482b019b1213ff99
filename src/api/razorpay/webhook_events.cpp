#include "api/razorpay/webhook_events.h"

#include <array>

#include "api/razorpay/render.h"
#include "core/ids.h"
#include "core/json_writer.h"
#include "core/webhook.h"

namespace paygate::api::razorpay {

namespace {

constexpr std::string_view kPaymentAuthorized = "payment.authorized";
constexpr std::string_view kPaymentCaptured = "payment.captured";
constexpr std::string_view kPaymentFailed = "payment.failed";
constexpr std::string_view kOrderPaid = "order.paid";
constexpr std::string_view kRefundCreated = "refund.created";
constexpr std::string_view kRefundProcessed = "refund.processed";
constexpr std::string_view kRefundFailed = "refund.failed";

constexpr std::array<std::string_view, 7> kEvents = {
    kPaymentAuthorized, kPaymentCaptured, kPaymentFailed, kOrderPaid,
    kRefundCreated,     kRefundProcessed, kRefundFailed};

// Razorpay sends order.paid right after its payment's payment.captured.
constexpr std::array<std::string_view, 1> kOnSuccess = {kPaymentAuthorized};
constexpr std::array<std::string_view, 2> kOnCapture = {kPaymentCaptured, kOrderPaid};
constexpr std::array<std::string_view, 1> kOnFailure = {kPaymentFailed};
constexpr std::array<std::string_view, 1> kOnRefundCreated = {kRefundCreated};
constexpr std::array<std::string_view, 1> kOnRefundProcessed = {kRefundProcessed};
constexpr std::array<std::string_view, 1> kOnRefundFailed = {kRefundFailed};

// "payment": {"entity": {...}}
template <class Write>
void entity(JsonWriter& w, std::string_view name, Write write) {
  w.key(name).begin_object().key("entity");
  write();
  w.end_object();
}

}  // namespace

std::string account_id(std::string_view merchant_id) {
  if (merchant_id.starts_with(kMerchantPrefix)) merchant_id.remove_prefix(kMerchantPrefix.size());
  return "acc_" + std::string(merchant_id);
}

std::string_view WebhookEvents::name() const {
  return kFormatRazorpay;
}

std::span<const std::string_view> WebhookEvents::events() const {
  return kEvents;
}

std::span<const std::string_view> WebhookEvents::events_for(std::string_view type) const {
  if (type == kEventPaymentSuccess) return kOnSuccess;
  if (type == kEventPaymentCaptured) return kOnCapture;
  if (type == kEventPaymentFailed) return kOnFailure;
  if (type == kEventRefundCreated) return kOnRefundCreated;
  if (type == kEventRefundProcessed) return kOnRefundProcessed;
  if (type == kEventRefundFailed) return kOnRefundFailed;
  return {};
}

Result<std::string> WebhookEvents::render(std::string_view /*event_id*/, std::string_view event,
                                          const DomainEvent& e) const {
  // What the payload holds, found before a byte is written.
  const Payment* payment = nullptr;
  const Order* order = nullptr;
  const Refund* refund = e.refund();
  const bool other = !e.object_name().empty();  // webhook.test
  if (!other) {
    auto p = e.payment();
    if (!p) return fail(std::move(p.error()));
    payment = *p;
    if (event == kOrderPaid) {
      auto o = e.order();
      if (!o) return fail(std::move(o.error()));
      order = *o;
    }
  }

  // Razorpay's event carries no id of its own: X-Razorpay-Event-Id does.
  JsonWriter w(2048);
  w.begin_object();
  w.field("entity", "event");
  w.field("account_id", std::string_view(account_id(e.merchant_id())));
  w.field("event", event);
  w.key("contains").begin_array();
  if (other) {
    w.value(e.object_name());
  } else {
    if (refund != nullptr) w.value("refund");
    w.value("payment");
    if (order != nullptr) w.value("order");
  }
  w.end_array();
  w.key("payload").begin_object();
  if (other) {
    entity(w, e.object_name(), [&] { w.raw(e.object_json()); });
  } else {
    if (refund != nullptr) {
      entity(w, "refund", [&] { write_refund(w, *refund, payment->currency); });
    }
    entity(w, "payment", [&] { write_payment(w, *payment); });
    if (order != nullptr) entity(w, "order", [&] { write_order(w, *order); });
  }
  w.end_object();
  w.field("created_at", unix_seconds(e.at()));
  w.end_object();
  return w.take();
}

}  // namespace paygate::api::razorpay
