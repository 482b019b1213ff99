#include "core/order_rules.h"

#include <algorithm>
#include <array>
#include <string>

namespace paygate {

namespace {

// ISO 4217 codes accepted, all with two decimal places of minor unit.
constexpr std::array<std::string_view, 14> kCurrencies = {"AED", "AUD", "CAD", "CHF", "EUR",
                                                          "GBP", "HKD", "INR", "MYR", "NZD",
                                                          "SAR", "SGD", "USD", "ZAR"};

// Characters of a UTF-8 string (the JSON parser has checked it is UTF-8):
// the bytes that do not continue a multi-byte sequence.
std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace

bool is_supported_currency(std::string_view code) {
  return std::find(kCurrencies.begin(), kCurrencies.end(), code) != kCurrencies.end();
}

Status validate_new_order(const NewOrder& order) {
  if (order.amount < kMinOrderAmount) {
    return fail(Error::bad_request("amount must be at least 100", "amount"));
  }
  if (order.amount > kMaxOrderAmount) {
    return fail(Error::bad_request("amount must be at most 10000000000000", "amount"));
  }
  if (!is_supported_currency(order.currency)) {
    return fail(Error::bad_request(
        "currency must be a supported 3-letter ISO 4217 code such as INR", "currency"));
  }
  if (order.receipt && utf8_length(*order.receipt) > kMaxReceiptLength) {
    return fail(Error::bad_request("receipt must be at most 40 characters", "receipt"));
  }
  return validate_notes(order.notes);
}

Status validate_notes(const boost::json::object& notes) {
  if (notes.size() > kMaxNotes) {
    return fail(Error::bad_request("notes may have at most 15 keys", "notes"));
  }
  for (const auto& [key, value] : notes) {
    if (utf8_length(key) > kMaxNoteKeyLength) {
      return fail(Error::bad_request("notes keys must be at most 256 characters", "notes"));
    }
    if (!value.is_string()) {
      return fail(Error::bad_request("notes." + std::string(key) + " must be a string", "notes"));
    }
    if (utf8_length(value.get_string()) > kMaxNoteValueLength) {
      return fail(Error::bad_request(
          "notes." + std::string(key) + " must be at most 256 characters", "notes"));
    }
  }
  return {};
}

Status validate_order_page(const OrderPage& page) {
  return validate_page_window(page);
}

}  // namespace paygate
