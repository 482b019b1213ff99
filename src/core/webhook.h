// Webhook endpoints, the events they receive and the log of each delivery.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/paging.h"

namespace paygate {

inline constexpr std::string_view kEventPaymentSuccess = "payment.success";
inline constexpr std::string_view kEventPaymentFailed = "payment.failed";
inline constexpr std::string_view kEventPaymentCaptured = "payment.captured";
inline constexpr std::string_view kEventRefundProcessed = "refund.processed";
inline constexpr std::string_view kEventRefundFailed = "refund.failed";
inline constexpr std::string_view kEventWebhookTest = "webhook.test";
// A refund was asked for. Only other formats send it: paygate's own
// subscribable list is the contract's.
inline constexpr std::string_view kEventRefundCreated = "refund.created";

// The shapes an endpoint's events take (core/event_format.h). paygate's own is
// the default; Razorpay's is rendered in api/razorpay/webhook_events and
// signed Razorpay's way by the deliverer.
inline constexpr std::string_view kFormatPaygate = "paygate";
inline constexpr std::string_view kFormatRazorpay = "razorpay";

// What a paygate-format endpoint may subscribe to (webhook.test goes to one
// endpoint on request).
inline constexpr std::array<std::string_view, 5> kSubscribableEvents = {
    kEventPaymentSuccess, kEventPaymentFailed, kEventPaymentCaptured, kEventRefundProcessed,
    kEventRefundFailed};

inline constexpr std::string_view kJobDeliverWebhook = "webhook.deliver";
inline constexpr std::size_t kMaxWebhookUrlLength = 2048;
inline constexpr std::size_t kMaxWebhooksPerMerchant = 10;
inline constexpr std::size_t kMaxLoggedResponseBytes = 1024;
// How long a rotated-out secret keeps signing beside the new one.
inline constexpr Micros kSecretOverlap = 24LL * 3600 * 1'000'000;

inline constexpr std::string_view kDeliveryPending = "pending";
inline constexpr std::string_view kDeliverySuccess = "success";
inline constexpr std::string_view kDeliveryFailed = "failed";

struct WebhookEndpoint {
  std::string id;  // UUID v4
  std::string merchant_id;
  std::string url;
  std::string secret;  // 32 random bytes, hex; the signing key
  std::optional<std::string> previous_secret;
  std::optional<Micros> previous_secret_expires_at;
  std::vector<std::string> events;  // subscribed event types, names of its format
  std::string format = std::string(kFormatPaygate);
  bool active = true;
  Micros created_at = 0;
  Micros updated_at = 0;
  std::int64_t version = 1;  // bumped by every update; not shown to merchants

  bool subscribed_to(std::string_view type) const;
};

struct Event {
  std::string id;  // evt_...
  std::string merchant_id;
  std::string type;
  std::string payload;  // the exact bytes delivered and signed
  Micros created_at = 0;
  std::string format = std::string(kFormatPaygate);  // the shape of payload, so how it is signed
  // paygate-format events only: the merchant's event number (its order of
  // commit) and the id of the object the event is about.
  std::optional<std::int64_t> seq;
  std::optional<std::string> object_id;
};

// What an emitted event needs of an active endpoint.
struct Subscription {
  std::string webhook_id;
  std::string format;
  std::vector<std::string> events;
};

// One event on its way to one endpoint: the webhook log entry.
struct Delivery {
  std::string id;  // UUID v4
  std::string merchant_id;
  std::string webhook_id;
  std::string event_id;
  std::string event_type;
  std::string status;  // pending | success | failed
  std::int64_t attempts = 0;
  std::optional<std::string> response_code;
  std::optional<std::string> response_body;
  std::optional<Micros> next_attempt_at;
  Micros created_at = 0;
  Micros updated_at = 0;
  std::int64_t version = 1;  // bumped by every update; not shown to merchants
};

struct DeliveryAttempt {
  std::string id;
  std::string delivery_id;
  std::int64_t number = 0;
  Micros attempted_at = 0;
  std::optional<std::int64_t> response_code;
  std::int64_t duration_ms = 0;
  std::optional<std::string> error;
  std::optional<std::string> response_body;
};

struct NewWebhook {
  std::string url;
  std::optional<std::vector<std::string>> events;  // all of its format's when not given
  std::optional<std::string> format;               // paygate when not given
};

struct WebhookPatch {
  std::optional<std::string> url;
  std::optional<std::vector<std::string>> events;
  std::optional<bool> active;
  // A new format without events subscribes to every event of that format.
  std::optional<std::string> format;
};

struct DeliveryPage {
  PageWindow window;
  std::string webhook_id;  // "" for any
  std::string event_type;
  std::string status;
  std::string event_id;
};

// Absolute http(s) URL with a host, at most 2048 characters.
bool is_valid_webhook_url(std::string_view url);

}  // namespace paygate
