// Payment instruments (card, UPI VPA): the contract's validation rules as pure
// functions. Nothing here keeps a card number or CVV beyond the call.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace paygate {

// What a create-payment request gave for a card, as text (JSON numbers are
// turned into their digits by the api layer).
struct CardInput {
  std::string number;
  std::string expiry_month;
  std::string expiry_year;
  std::string cvv;
  std::optional<std::string> name;
};

// A validated card: the digits (to be fingerprinted and dropped) and what may be kept.
struct Card {
  std::string digits;  // never stored, logged or returned
  std::string network;
  std::string last4;
  int expiry_month = 0;
  int expiry_year = 0;  // four digits
};

// "visa", "mastercard", "amex", "rupay", "discover", "diners" or "unknown".
std::string_view card_network(std::string_view digits);
bool luhn_valid(std::string_view digits);

struct YearMonth {
  int year;
  int month;
};
YearMonth current_year_month();

// Card number 12-19 digits after removing spaces and dashes, Luhn, expiry
// month 1-12 and year (2 or 4 digits) not before `now`, CVV 3 digits (4 for
// amex). INVALID_CARD or EXPIRED_CARD naming the field.
Result<Card> validate_card(const CardInput& in, YearMonth now);

// ^[a-zA-Z0-9._-]+@[a-zA-Z0-9]+$, at most 255 characters. INVALID_VPA.
Status validate_vpa(std::string_view vpa);

// "a***@okbank": the first character, three stars, the @ and the handle, for
// answers anyone who knows a payment id can read (a VPA is often a phone
// number). The stars do not tell the length. Without an @, "***".
std::string mask_vpa(std::string_view vpa);

}  // namespace paygate
