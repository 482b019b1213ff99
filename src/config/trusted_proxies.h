// The proxies whose X-Forwarded-For is believed, and the client address a
// request is counted against (rate limits, failed authentication).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace paygate {

class TrustedProxies {
 public:
  // "10.0.0.0/8, 127.0.0.1, ::1, fd00::/8": addresses and CIDR networks.
  static Result<TrustedProxies> parse(std::string_view text);

  bool empty() const { return networks_.empty(); }
  bool contains(std::string_view address) const;

  struct Network {
    std::array<std::uint8_t, 16> bytes{};  // IPv4 as IPv4-mapped IPv6
    int prefix = 128;
  };

 private:
  std::vector<Network> networks_;
};

// The address a request comes from: the peer's, unless the peer is a trusted
// proxy; then the right-most address of X-Forwarded-For that is not a trusted
// proxy (the left-most when all are). Entries a proxy did not write (further
// left) are never believed, so a client cannot choose its own address.
// forwarded_for is every X-Forwarded-For line joined in order (a client may
// send a line of its own before the one its proxy appended to).
std::string client_address(std::string_view peer, std::string_view forwarded_for,
                           const TrustedProxies& proxies);

// The rate-limit bucket an address is counted in: an IPv4 address (also
// written IPv4-mapped) alone, an IPv6 address by its /64 ("2001:db8:1:2::/64"),
// since one host is commonly given a whole /64 and may use any address in it.
std::string address_bucket(std::string_view address);

}  // namespace paygate
