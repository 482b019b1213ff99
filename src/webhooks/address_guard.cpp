#include "webhooks/address_guard.h"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <memory>
#include <optional>

namespace paygate::webhooks {

namespace {

bool is_public_v4(const boost::asio::ip::address_v4& a) {
  const std::uint32_t v = a.to_uint();
  struct Range {
    std::uint32_t net;
    int bits;
  };
  static constexpr std::array<Range, 14> kSpecial = {{
      {0x00000000, 8},   // "this network", unspecified
      {0x0A000000, 8},   // 10/8 private
      {0x64400000, 10},  // 100.64/10 carrier-grade NAT
      {0x7F000000, 8},   // loopback
      {0xA9FE0000, 16},  // 169.254/16 link-local (cloud metadata)
      {0xAC100000, 12},  // 172.16/12 private
      {0xC0000000, 24},  // 192.0.0/24 protocol assignments
      {0xC0000200, 24},  // 192.0.2/24 documentation
      {0xC0A80000, 16},  // 192.168/16 private
      {0xC6120000, 15},  // 198.18/15 benchmarking
      {0xC6336400, 24},  // 198.51.100/24 documentation
      {0xCB007100, 24},  // 203.0.113/24 documentation
      {0xE0000000, 4},   // multicast
      {0xF0000000, 4},   // reserved and broadcast
  }};
  for (const auto& r : kSpecial) {
    const std::uint32_t mask = r.bits == 0 ? 0 : ~std::uint32_t{0} << (32 - r.bits);
    if ((v & mask) == r.net) return false;
  }
  return true;
}

boost::asio::ip::address_v4 v4_at(const boost::asio::ip::address_v6::bytes_type& b, std::size_t at,
                                  std::uint32_t flip = 0) {
  const std::uint32_t v = (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) |
                          (std::uint32_t{b[at + 2]} << 8) | b[at + 3];
  return boost::asio::ip::address_v4(v ^ flip);
}

bool starts_with(const boost::asio::ip::address_v6::bytes_type& b,
                 std::initializer_list<std::uint8_t> prefix) {
  return std::equal(prefix.begin(), prefix.end(), b.begin());
}

// The IPv4 address a packet to this IPv6 address ends up at, for the
// transition formats a router or relay translates: IPv4-mapped (::ffff:a.b.c.d)
// and SIIT's IPv4-translated (::ffff:0:a.b.c.d), NAT64 (64:ff9b::/96),
// 6to4 (2002:AABB:CCDD::/48) and Teredo (2001:0::/32, the client's address
// inverted in the last 32 bits). Without this, 2002:7f00:1:: would reach
// 127.0.0.1 through a 6to4 relay on the host's own network.
std::optional<boost::asio::ip::address_v4> embedded_v4(
    const boost::asio::ip::address_v6::bytes_type& b) {
  const bool ten_zero_bytes = std::all_of(b.begin(), b.begin() + 10, [](auto x) { return x == 0; });
  if (ten_zero_bytes && b[10] == 0xff && b[11] == 0xff) return v4_at(b, 12);
  if (std::all_of(b.begin(), b.begin() + 8, [](auto x) { return x == 0; }) && b[8] == 0xff &&
      b[9] == 0xff && b[10] == 0 && b[11] == 0) {
    return v4_at(b, 12);
  }
  if (starts_with(b, {0x00, 0x64, 0xff, 0x9b}) &&
      std::all_of(b.begin() + 4, b.begin() + 12, [](auto x) { return x == 0; })) {
    return v4_at(b, 12);
  }
  if (starts_with(b, {0x20, 0x02})) return v4_at(b, 2);
  if (starts_with(b, {0x20, 0x01, 0x00, 0x00})) return v4_at(b, 12, 0xffffffff);
  return std::nullopt;
}

bool is_public_v6(const boost::asio::ip::address_v6& a) {
  const auto b = a.to_bytes();
  if (const auto v4 = embedded_v4(b)) return is_public_v4(*v4);
  if (a.is_loopback() || a.is_unspecified() || a.is_link_local() || a.is_site_local() ||
      a.is_multicast()) {
    return false;
  }
  if ((b[0] & 0xfe) == 0xfc) return false;  // fc00::/7 unique local
  if (std::all_of(b.begin(), b.begin() + 12, [](auto x) { return x == 0; })) {
    return false;  // ::/96, deprecated IPv4-compatible (::127.0.0.1): never routed
  }
  if (starts_with(b, {0x20, 0x01, 0x0d, 0xb8})) return false;  // documentation
  // NAT64 outside the well-known /96 (64:ff9b:1::/48, RFC 8215, local use):
  // where the IPv4 address sits depends on the operator's prefix length.
  if (starts_with(b, {0x00, 0x64, 0xff, 0x9b})) return false;
  return true;
}

}  // namespace

bool is_public_address(const boost::asio::ip::address& address) {
  return address.is_v4() ? is_public_v4(address.to_v4()) : is_public_v6(address.to_v6());
}

Result<std::vector<std::string>> resolve_for_delivery(const std::string& host, std::uint16_t port,
                                                      bool allow_private) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc != 0) {
    return fail(Error::service_unavailable("cannot resolve " + host + ": " + ::gai_strerror(rc)));
  }
  const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(found, &::freeaddrinfo);
  std::vector<std::string> addresses;
  for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    std::array<char, NI_MAXHOST> text{};
    if (::getnameinfo(ai->ai_addr, ai->ai_addrlen, text.data(), text.size(), nullptr, 0,
                      NI_NUMERICHOST) != 0) {
      continue;
    }
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(text.data(), ec);
    if (ec) continue;
    if (!allow_private && !is_public_address(address)) {
      return fail(Error::bad_request("refused to deliver to " + address.to_string() +
                                     ": not a public address (set PAYGATE_WEBHOOK_ALLOW_PRIVATE=1 "
                                     "to allow)"));
    }
    const std::string s = address.to_string();
    if (std::find(addresses.begin(), addresses.end(), s) == addresses.end()) addresses.push_back(s);
  }
  if (addresses.empty()) return fail(Error::service_unavailable("no address found for " + host));
  return addresses;
}

}  // namespace paygate::webhooks
