// Webhook signatures, as receivers verify them from the raw body.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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

}  // namespace paygate::webhooks
