#include "config/trusted_proxies.h"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <charconv>

namespace paygate {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The address as 16 bytes (IPv4 mapped into IPv6), if it is one.
std::optional<std::array<std::uint8_t, 16>> address_bytes(std::string_view text) {
  boost::system::error_code ec;
  // make_address wants a NUL-terminated string.
  const auto a = boost::asio::ip::make_address(std::string(trim(text)), ec);
  if (ec) return std::nullopt;
  const auto v6 = a.is_v4()
                      ? boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, a.to_v4())
                      : a.to_v6();
  return v6.to_bytes();
}

std::optional<TrustedProxies::Network> parse_network(std::string_view text) {
  text = trim(text);
  const auto slash = text.find('/');
  const auto bytes = address_bytes(text.substr(0, slash));
  if (!bytes) return std::nullopt;
  TrustedProxies::Network n;
  n.bytes = *bytes;
  const bool v4 = text.substr(0, slash).find(':') == std::string_view::npos;
  if (slash != std::string_view::npos) {
    const auto p = text.substr(slash + 1);
    int prefix = -1;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (ec != std::errc() || end != p.data() + p.size() || prefix < 0 || prefix > (v4 ? 32 : 128)) {
      return std::nullopt;
    }
    n.prefix = v4 ? prefix + 96 : prefix;
  }
  return n;
}

}  // namespace

Result<TrustedProxies> TrustedProxies::parse(std::string_view text) {
  TrustedProxies out;
  while (!trim(text).empty()) {
    const auto comma = text.find(',');
    auto n = parse_network(text.substr(0, comma));
    if (!n) {
      return fail(Error::bad_request("PAYGATE_TRUSTED_PROXIES: \"" +
                                         std::string(trim(text.substr(0, comma)).substr(0, 64)) +
                                         "\" is not an address or a network such as 10.0.0.0/8",
                                     "PAYGATE_TRUSTED_PROXIES"));
    }
    out.networks_.push_back(*n);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

bool TrustedProxies::contains(std::string_view address) const {
  if (networks_.empty()) return false;
  const auto bytes = address_bytes(address);
  if (!bytes) return false;
  for (const auto& n : networks_) {
    int bits = n.prefix;
    bool match = true;
    for (std::size_t i = 0; i < 16 && bits > 0 && match; ++i, bits -= 8) {
      const std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
      match = ((*bytes)[i] & mask) == (n.bytes[i] & mask);
    }
    if (match) return true;
  }
  return false;
}

std::string client_address(std::string_view peer, std::string_view forwarded_for,
                           const TrustedProxies& proxies) {
  if (forwarded_for.empty() || !proxies.contains(peer)) return std::string(peer);
  std::string leftmost(peer);
  while (!forwarded_for.empty()) {
    const auto comma = forwarded_for.rfind(',');
    const std::string_view item =
        trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    // A trusted proxy wrote this list from here rightwards; garbage ends it.
    if (!address_bytes(item)) break;
    if (!proxies.contains(item)) return std::string(item);
    leftmost = std::string(item);
    if (comma == std::string_view::npos) break;
    forwarded_for = forwarded_for.substr(0, comma);
  }
  return leftmost;
}

std::string address_bucket(std::string_view address) {
  boost::system::error_code ec;
  const auto a = boost::asio::ip::make_address(std::string(trim(address)), ec);
  if (ec) return std::string(address);
  if (a.is_v4()) return a.to_string();
  const auto v6 = a.to_v6();
  if (v6.is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_string();
  }
  auto bytes = v6.to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), std::uint8_t{0});
  return boost::asio::ip::address_v6(bytes).to_string() + "/64";
}

}  // namespace paygate
