// Public identifiers: a prefix ("order_", "pay_", ...) and 16 characters of
// [A-Za-z0-9]: a base-62 number made of a clock of 10 ms ticks (so that ids
// made together are neighbours and index inserts stay local) and 64 bits from
// the cryptographic random source, which is what makes them unguessable.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace paygate {

inline constexpr std::string_view kOrderPrefix = "order_";
inline constexpr std::string_view kPaymentPrefix = "pay_";
inline constexpr std::string_view kRefundPrefix = "refund_";
inline constexpr std::string_view kMerchantPrefix = "mrc_";
inline constexpr std::string_view kEventPrefix = "evt_";

inline constexpr std::size_t kIdBodyLength = 16;

std::string new_id(std::string_view prefix);
// The clock part of an id made at `at`: 10 ms ticks since the Unix epoch,
// modulo the ticks that 16 characters leave beside 64 random bits (about 299
// days' worth). Ids made within one cycle sort by it.
std::uint64_t id_clock(Micros at);
// "req_" and 16 characters of [A-Za-z0-9], for a request that brought no
// X-Request-Id. Unique rather than unguessable: drawn from a generator per
// thread, seeded from the random source, which spares every request a trip
// through OpenSSL's locked generator.
std::string new_request_id();
// n characters of [A-Za-z0-9], all from the random source.
std::string random_alnum(std::size_t n);
// RFC 4122 version 4 UUID, lower-case.
std::string new_uuid_v4();

// True when id is prefix followed by exactly 16 characters of [A-Za-z0-9].
bool is_valid_id(std::string_view id, std::string_view prefix);

}  // namespace paygate
