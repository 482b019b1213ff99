// The order: what a merchant asks a shopper to pay.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/paging.h"

namespace paygate {

inline constexpr std::string_view kOrderCreated = "created";
inline constexpr std::string_view kOrderAttempted = "attempted";
inline constexpr std::string_view kOrderPaid = "paid";

struct Order {
  std::string id;
  std::string merchant_id;
  std::int64_t amount = 0;  // minor units (paise for INR)
  std::string currency;
  std::string status;
  std::optional<std::string> receipt;
  std::string notes_json;     // a JSON object with string values, as stored
  std::int64_t attempts = 0;  // payments made for it
  Micros created_at = 0;
  Micros updated_at = 0;
};

// An order as the checkout sees it: with the name of whom it pays.
struct PublicOrder {
  Order order;
  std::string merchant_name;
};

// What a create request asks for, after its JSON types were checked.
struct NewOrder {
  std::int64_t amount = 0;
  std::string currency = "INR";
  std::optional<std::string> receipt;
  boost::json::object notes;
};

// A page of a merchant's orders, optionally only those with a receipt, or
// only those paid (authorized = true) or not (false).
struct OrderPage : PageWindow {
  std::string receipt;  // "" for any
  std::optional<bool> authorized;
};

}  // namespace paygate
