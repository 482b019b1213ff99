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
// unspecified, broadcast and other special ranges are not public. An IPv6
// address that carries an IPv4 one (IPv4-mapped, NAT64, 6to4, Teredo) is
// judged by that IPv4 address; IPv4-compatible ones (::/96) never are public.
bool is_public_address(const boost::asio::ip::address& address);

// The host's addresses to connect to: all of them, when every one is public
// or allow_private is set. Otherwise BAD_REQUEST naming the refused address,
// or SERVICE_UNAVAILABLE when the name does not resolve (it may later). The
// descriptions name hosts and addresses: for the operator's log only.
Result<std::vector<std::string>> resolve_for_delivery(const std::string& host, std::uint16_t port,
                                                      bool allow_private);

}  // namespace paygate::webhooks
