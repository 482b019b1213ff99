#include "core/instrument.h"

#include <charconv>
#include <ctime>

namespace paygate {

namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int prefix_number(std::string_view digits, std::size_t n) {
  if (digits.size() < n) return -1;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) v = v * 10 + (digits[i] - '0');
  return v;
}

Error invalid_card(std::string description, std::string field) {
  return Error::with_status(ErrorCode::invalid_card, 400, std::move(description), std::move(field));
}

Error expired_card(std::string description, std::string field) {
  return Error::with_status(ErrorCode::expired_card, 400, std::move(description), std::move(field));
}

}  // namespace

bool luhn_valid(std::string_view digits) {
  int sum = 0;
  bool twice = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int d = *it - '0';
    if (twice) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    twice = !twice;
  }
  return !digits.empty() && sum % 10 == 0;
}

std::string_view card_network(std::string_view d) {
  const int p1 = prefix_number(d, 1), p2 = prefix_number(d, 2), p3 = prefix_number(d, 3),
            p4 = prefix_number(d, 4);
  if (p2 == 34 || p2 == 37) return "amex";
  if (p4 == 6011 || (p3 >= 644 && p3 <= 649)) return "discover";
  if (p2 == 36 || p2 == 38 || (p3 >= 300 && p3 <= 305)) return "diners";
  if (p2 == 60 || p2 == 65 || p2 == 81 || p2 == 82 || p3 == 508) return "rupay";
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return "mastercard";
  if (p1 == 4) return "visa";
  return "unknown";
}

YearMonth current_year_month() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return {tm.tm_year + 1900, tm.tm_mon + 1};
}

Result<Card> validate_card(const CardInput& in, YearMonth now) {
  Card card;
  card.digits.reserve(in.number.size());
  for (char c : in.number) {
    if (c == ' ' || c == '-') continue;
    if (c < '0' || c > '9') return fail(invalid_card("card number must be digits", "card.number"));
    card.digits.push_back(c);
  }
  if (card.digits.size() < 12 || card.digits.size() > 19) {
    return fail(invalid_card("card number must be 12 to 19 digits", "card.number"));
  }
  if (!luhn_valid(card.digits)) {
    return fail(invalid_card("card number fails the Luhn check", "card.number"));
  }
  card.network = std::string(card_network(card.digits));
  card.last4 = card.digits.substr(card.digits.size() - 4);

  int month = 0;
  if (!all_digits(in.expiry_month) || in.expiry_month.size() > 2) {
    return fail(expired_card("expiry_month must be a month from 1 to 12", "card.expiry_month"));
  }
  std::from_chars(in.expiry_month.data(), in.expiry_month.data() + in.expiry_month.size(), month);
  if (month < 1 || month > 12) {
    return fail(expired_card("expiry_month must be a month from 1 to 12", "card.expiry_month"));
  }
  int year = 0;
  if (!all_digits(in.expiry_year) || (in.expiry_year.size() != 2 && in.expiry_year.size() != 4)) {
    return fail(expired_card("expiry_year must be 2 or 4 digits", "card.expiry_year"));
  }
  std::from_chars(in.expiry_year.data(), in.expiry_year.data() + in.expiry_year.size(), year);
  if (in.expiry_year.size() == 2) year += 2000;
  if (year < now.year || (year == now.year && month < now.month)) {
    return fail(expired_card("the card has expired", "card.expiry_year"));
  }
  card.expiry_month = month;
  card.expiry_year = year;

  const std::size_t cvv_length = card.network == "amex" ? 4 : 3;
  if (!all_digits(in.cvv) || in.cvv.size() != cvv_length) {
    return fail(invalid_card(
        cvv_length == 4 ? "cvv must be 4 digits for amex" : "cvv must be 3 digits", "card.cvv"));
  }
  return card;
}

Status validate_vpa(std::string_view vpa) {
  auto bad = [] {
    return fail(Error::with_status(ErrorCode::invalid_vpa, 400,
                                   "vpa must look like name@bank (letters, digits, . _ -)", "vpa"));
  };
  if (vpa.size() > 255) return bad();
  const auto at = vpa.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == vpa.size()) return bad();
  for (std::size_t i = 0; i < vpa.size(); ++i) {
    const char c = vpa[i];
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (i < at) {
      if (!alnum && c != '.' && c != '_' && c != '-') return bad();
    } else if (i > at) {
      if (!alnum) return bad();
    }
  }
  return {};
}

std::string mask_vpa(std::string_view vpa) {
  const auto at = vpa.find('@');
  if (at == std::string_view::npos || at == 0) return "***";
  return std::string(vpa.substr(0, 1)) + "***" + std::string(vpa.substr(at));
}

}  // namespace paygate
