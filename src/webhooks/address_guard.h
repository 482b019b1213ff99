// The SSRF guard: webhooks go only to public addresses unless configured
// otherwise, judged on the addresses actually connected to (resolved here,
// then pinned for the connection, so DNS rebinding cannot slip past).
#pragma once

#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"

namespace paygate::webhooks {

// Loopback, private (RFC 1918, unique local), link-local, CGNAT, multicast,
// unspecified, broadcast and other special ranges are not public.
bool is_public_address(const boost::asio::ip::address& address);

// The host's addresses to connect to: all of them, when every one is public
// or allow_private is set; an error naming the refused address otherwise.
Result<std::vector<std::string>> resolve_for_delivery(const std::string& host, std::uint16_t port,
                                                      bool allow_private);

}  // namespace paygate::webhooks
