#include "core/order_rules.h"

#include <algorithm>
#include <array>
#include <string>

namespace paygate {

namespace {

// ISO 4217 codes accepted, all with two decimal places of minor unit.
constexpr std::array<std::string_view, 14> kCurrencies = {
    "AED", "AUD", "CAD", "CHF", "EUR", "GBP", "HKD",
    "INR", "MYR", "NZD", "SAR", "SGD", "USD", "ZAR"};

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
  if (order.receipt && order.receipt->size() > kMaxReceiptLength) {
    return fail(Error::bad_request("receipt must be at most 40 characters", "receipt"));
  }
  if (order.notes.size() > kMaxNotes) {
    return fail(Error::bad_request("notes may have at most 15 keys", "notes"));
  }
  for (const auto& [key, value] : order.notes) {
    if (key.size() > kMaxNoteKeyLength) {
      return fail(Error::bad_request("notes keys must be at most 256 characters", "notes"));
    }
    if (!value.is_string()) {
      return fail(Error::bad_request("notes." + std::string(key) + " must be a string", "notes"));
    }
    if (value.get_string().size() > kMaxNoteValueLength) {
      return fail(Error::bad_request(
          "notes." + std::string(key) + " must be at most 256 characters", "notes"));
    }
  }
  return {};
}

Status validate_order_page(const OrderPage& page) {
  if (page.count < 1 || page.count > kMaxPageCount) {
    return fail(Error::bad_request("count must be between 1 and 100", "count"));
  }
  if (page.skip < 0) return fail(Error::bad_request("skip must not be negative", "skip"));
  if (page.from < 0) return fail(Error::bad_request("from must not be negative", "from"));
  if (page.to < 0) return fail(Error::bad_request("to must not be negative", "to"));
  if (page.from > page.to) return fail(Error::bad_request("from must not be after to", "from"));
  return {};
}

}  // namespace paygate
