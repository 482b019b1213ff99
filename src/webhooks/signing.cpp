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

}  // namespace paygate::webhooks
