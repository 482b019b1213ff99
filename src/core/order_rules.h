// The contract's rules for an order's fields, as pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "core/error.h"
#include "core/order.h"

namespace paygate {

inline constexpr std::int64_t kMinOrderAmount = 100;
// 10^13 minor units; keeps every sum of amounts far inside int64.
inline constexpr std::int64_t kMaxOrderAmount = 10'000'000'000'000;
inline constexpr std::size_t kMaxReceiptLength = 40;
inline constexpr std::size_t kMaxNotes = 15;
inline constexpr std::size_t kMaxNoteKeyLength = 256;
inline constexpr std::size_t kMaxNoteValueLength = 256;

bool is_supported_currency(std::string_view code);
Status validate_new_order(const NewOrder& order);
// Notes of an order, payment or refund: at most 15 keys, string values, each
// key and value at most 256 characters.
Status validate_notes(const boost::json::object& notes);
Status validate_order_page(const OrderPage& page);

}  // namespace paygate
