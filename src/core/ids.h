// Public identifiers: a prefix ("order_", "pay_", ...) and 16 characters of
// [A-Za-z0-9]. The first 5 encode the second of creation (so index inserts stay
// local and ids sort roughly by time); the last 11 come from the cryptographic
// random source (65 bits), which is what makes them unguessable.
#pragma once

#include <string>
#include <string_view>

namespace paygate {

inline constexpr std::string_view kOrderPrefix = "order_";
inline constexpr std::string_view kPaymentPrefix = "pay_";
inline constexpr std::string_view kRefundPrefix = "refund_";
inline constexpr std::string_view kMerchantPrefix = "mrc_";
inline constexpr std::string_view kEventPrefix = "evt_";

inline constexpr std::size_t kIdBodyLength = 16;

std::string new_id(std::string_view prefix);
// n characters of [A-Za-z0-9], all from the random source.
std::string random_alnum(std::size_t n);
// RFC 4122 version 4 UUID, lower-case.
std::string new_uuid_v4();

// True when id is prefix followed by exactly 16 characters of [A-Za-z0-9].
bool is_valid_id(std::string_view id, std::string_view prefix);

}  // namespace paygate
