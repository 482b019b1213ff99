// Webhook signatures, as receivers verify them from the raw body.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/webhook.h"

namespace paygate::webhooks {

// X-Signature and X-Webhook-Signature: lower-case hex HMAC-SHA256 of the raw
// body, keyed with the endpoint's secret (its text, as shown at registration).
std::string body_signature(std::string_view secret, std::string_view body);

// webhook-signature (Standard Webhooks): "v1," + base64 HMAC-SHA256 of
// "{webhook-id}.{webhook-timestamp}.{body}" per secret, space-separated, so a
// rotated-out secret can sign beside the new one.
std::string standard_signature(const std::vector<std::string_view>& secrets,
                               std::string_view message_id, std::int64_t timestamp,
                               std::string_view body);

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// The headers of one attempt to send event to endpoint, started at `now`
// (Content-Type and the signatures), as the event's format has receivers
// verify them:
// - paygate: X-Signature and X-Webhook-Signature (body_signature, current
//   secret), webhook-id, webhook-timestamp and webhook-signature (the current
//   secret and, while its overlap lasts, the rotated-out one).
// - razorpay: X-Razorpay-Signature (body_signature) and X-Razorpay-Event-Id.
//   Razorpay has one signature header, so it is the current secret's from the
//   moment of a rotation, as Razorpay signs with a changed secret at once; a
//   receiver that must not miss a delivery while it switches checks both
//   secrets until it has (a refused delivery is retried meanwhile).
HeaderList delivery_headers(const WebhookEndpoint& endpoint, const Event& event, Micros now);

}  // namespace paygate::webhooks
