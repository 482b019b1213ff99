// HTTP Basic credentials (RFC 7617): how Razorpay's SDKs send key_id and
// key_secret.
#pragma once

#include <optional>
#include <string>

#include "http/request.h"

namespace paygate::http {

struct BasicCredentials {
  std::string user;
  std::string password;
};

// The Authorization header's Basic credentials; nothing when it has none or
// they are malformed.
std::optional<BasicCredentials> basic_credentials(const Request& req);

}  // namespace paygate::http
