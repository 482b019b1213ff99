#include "webhooks/signing.h"

#include "core/crypto.h"

namespace paygate::webhooks {

std::string body_signature(std::string_view secret, std::string_view body) {
  return hmac_sha256_hex(secret, body);
}

std::string standard_signature(const std::vector<std::string_view>& secrets,
                               std::string_view message_id, std::int64_t timestamp,
                               std::string_view body) {
  std::string signed_content;
  signed_content.reserve(message_id.size() + body.size() + 24);
  signed_content.append(message_id).push_back('.');
  signed_content.append(std::to_string(timestamp)).push_back('.');
  signed_content.append(body);
  std::string out;
  for (const auto secret : secrets) {
    if (!out.empty()) out.push_back(' ');
    out += "v1," + base64_encode(hmac_sha256(secret, signed_content));
  }
  return out;
}

HeaderList delivery_headers(const WebhookEndpoint& endpoint, const Event& event, Micros now) {
  const std::string signature = body_signature(endpoint.secret, event.payload);
  if (event.format == kFormatRazorpay) {
    return {
        {"Content-Type", "application/json"},
        {"X-Razorpay-Signature", signature},
        {"X-Razorpay-Event-Id", event.id},
    };
  }
  const std::int64_t timestamp = now / 1'000'000;
  std::vector<std::string_view> secrets{endpoint.secret};
  if (endpoint.previous_secret && endpoint.previous_secret_expires_at &&
      *endpoint.previous_secret_expires_at > now) {
    secrets.emplace_back(*endpoint.previous_secret);
  }
  return {
      {"Content-Type", "application/json"},
      {"X-Signature", signature},
      {"X-Webhook-Signature", signature},
      {"webhook-id", event.id},
      {"webhook-timestamp", std::to_string(timestamp)},
      {"webhook-signature", standard_signature(secrets, event.id, timestamp, event.payload)},
  };
}

}  // namespace paygate::webhooks
