#include "http/basic_auth.h"

#include <boost/beast/core/string.hpp>

#include "core/crypto.h"

namespace paygate::http {

std::optional<BasicCredentials> basic_credentials(const Request& req) {
  std::string_view value = req.header("Authorization");
  constexpr std::string_view kScheme = "Basic ";
  if (value.size() <= kScheme.size() ||
      !boost::beast::iequals(value.substr(0, kScheme.size()), kScheme)) {
    return std::nullopt;
  }
  value.remove_prefix(kScheme.size());
  while (value.starts_with(' ')) value.remove_prefix(1);
  while (value.ends_with(' ')) value.remove_suffix(1);
  // Key ids and secrets are short; a long header is not worth decoding.
  if (value.size() > 512) return std::nullopt;
  auto decoded = base64_decode(value);
  if (!decoded) return std::nullopt;
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return BasicCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

}  // namespace paygate::http
