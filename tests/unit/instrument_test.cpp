// The payment instrument rules (src/core/instrument.h) as pure functions:
// Luhn, card networks, card and VPA validation; and the job retry backoff.
#include "core/instrument.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "jobs/runner.h"

namespace paygate {
namespace {

constexpr YearMonth kNow{2026, 6};

// prefix + the digit that makes the whole number pass Luhn (computed here,
// independently of the code under test).
std::string with_check_digit(std::string prefix) {
  int sum = 0;
  bool twice = true;  // the check digit itself is not doubled
  for (auto it = prefix.rbegin(); it != prefix.rend(); ++it) {
    int d = *it - '0';
    if (twice) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    twice = !twice;
  }
  prefix.push_back(static_cast<char>('0' + (10 - sum % 10) % 10));
  return prefix;
}

CardInput card(std::string number, std::string month = "12", std::string year = "2030",
               std::string cvv = "123") {
  return CardInput{std::move(number), std::move(month), std::move(year), std::move(cvv), {}};
}

void expect_error(const Result<Card>& r, ErrorCode code, std::string_view field) {
  ASSERT_FALSE(r.has_value()) << "expected " << to_string(code) << " on " << field;
  EXPECT_EQ(r.error().code, code) << r.error().description;
  EXPECT_EQ(to_string(r.error().code), to_string(code));
  EXPECT_EQ(r.error().http_status, 400);
  EXPECT_EQ(r.error().field, field);
  EXPECT_FALSE(r.error().description.empty());
}

// ---------------------------------------------------------------- Luhn

TEST(Luhn, KnownValidNumbers) {
  EXPECT_TRUE(luhn_valid("79927398713"));
  EXPECT_TRUE(luhn_valid("4111111111111111"));
  EXPECT_TRUE(luhn_valid("4242424242424242"));
  EXPECT_TRUE(luhn_valid("5555555555554444"));
  EXPECT_TRUE(luhn_valid("378282246310005"));
  EXPECT_TRUE(luhn_valid("6011111111111117"));
  EXPECT_TRUE(luhn_valid("30569309025904"));
  EXPECT_TRUE(luhn_valid("4000000000000002"));
  EXPECT_TRUE(luhn_valid("4000000000009995"));
  EXPECT_TRUE(luhn_valid("0"));
}

TEST(Luhn, EveryOtherCheckDigitFails) {
  for (const std::string prefix : {"7992739871", "411111111111111", "37828224631000"}) {
    const std::string good = with_check_digit(prefix);
    EXPECT_TRUE(luhn_valid(good)) << good;
    for (char c = '0'; c <= '9'; ++c) {
      if (c == good.back()) continue;
      EXPECT_FALSE(luhn_valid(prefix + c)) << prefix + c;
    }
  }
}

TEST(Luhn, EmptyIsNotValid) {
  EXPECT_FALSE(luhn_valid(""));
}

TEST(Luhn, DoubledDigitsAboveNineAreReduced) {
  // 5 doubled is 10 -> 1; without the reduction "59" would sum to 19.
  EXPECT_TRUE(luhn_valid("59"));
  EXPECT_FALSE(luhn_valid("50"));
  // 9 doubled is 18 -> 9: "91" sums to 10.
  EXPECT_TRUE(luhn_valid("91"));
}

TEST(Luhn, SingleTranspositionIsDetected) {
  EXPECT_TRUE(luhn_valid("79927398713"));
  EXPECT_FALSE(luhn_valid("79927398731"));
}

// ---------------------------------------------------------------- networks

TEST(CardNetwork, Visa) {
  EXPECT_EQ(card_network("4111111111111111"), "visa");
  EXPECT_EQ(card_network("4000000000000002"), "visa");
  EXPECT_EQ(card_network("4"), "visa");
}

TEST(CardNetwork, MastercardFiveSeries) {
  for (const char* p : {"51", "52", "53", "54", "55"}) {
    EXPECT_EQ(card_network(std::string(p) + "00000000000000"), "mastercard") << p;
  }
  EXPECT_NE(card_network("5000000000000000"), "mastercard");
  EXPECT_NE(card_network("5600000000000000"), "mastercard");
}

TEST(CardNetwork, MastercardTwoSeriesBoundaries) {
  EXPECT_EQ(card_network("2221000000000000"), "mastercard");
  EXPECT_EQ(card_network("2500000000000000"), "mastercard");
  EXPECT_EQ(card_network("2720990000000000"), "mastercard");
  EXPECT_EQ(card_network("2220990000000000"), "unknown");
  EXPECT_EQ(card_network("2721000000000000"), "unknown");
}

TEST(CardNetwork, Amex) {
  EXPECT_EQ(card_network("340000000000000"), "amex");
  EXPECT_EQ(card_network("378282246310005"), "amex");
  EXPECT_NE(card_network("350000000000000"), "amex");
  EXPECT_NE(card_network("330000000000000"), "amex");
}

TEST(CardNetwork, Rupay) {
  EXPECT_EQ(card_network("6000000000000000"), "rupay");
  EXPECT_EQ(card_network("6500000000000000"), "rupay");
  EXPECT_EQ(card_network("8100000000000000"), "rupay");
  EXPECT_EQ(card_network("8200000000000000"), "rupay");
  EXPECT_EQ(card_network("5080000000000000"), "rupay");
  EXPECT_NE(card_network("5070000000000000"), "rupay");
  EXPECT_NE(card_network("5090000000000000"), "rupay");
  EXPECT_EQ(card_network("8000000000000000"), "unknown");
  EXPECT_EQ(card_network("8300000000000000"), "unknown");
}

TEST(CardNetwork, Discover) {
  EXPECT_EQ(card_network("6011111111111117"), "discover");
  for (const char* p : {"644", "645", "646", "647", "648", "649"}) {
    EXPECT_EQ(card_network(std::string(p) + "0000000000000"), "discover") << p;
  }
  EXPECT_EQ(card_network("6430000000000000"), "unknown");
  EXPECT_EQ(card_network("6010000000000000"), "rupay");  // 60 but not 6011
  EXPECT_EQ(card_network("6012000000000000"), "rupay");
}

TEST(CardNetwork, Diners) {
  EXPECT_EQ(card_network("36000000000000"), "diners");
  EXPECT_EQ(card_network("38000000000000"), "diners");
  for (const char* p : {"300", "301", "302", "303", "304", "305"}) {
    EXPECT_EQ(card_network(std::string(p) + "00000000000"), "diners") << p;
  }
  EXPECT_EQ(card_network("30569309025904"), "diners");
  EXPECT_EQ(card_network("30600000000000"), "unknown");
  EXPECT_EQ(card_network("37000000000000"), "amex");
  EXPECT_EQ(card_network("39000000000000"), "unknown");
}

TEST(CardNetwork, Unknown) {
  for (const char* n : {"1000000000000000", "3100", "3500", "7000000000000000", "9000000000000000",
                        "0000000000000000", "5", "2", ""}) {
    EXPECT_EQ(card_network(n), "unknown") << n;
  }
}

// ---------------------------------------------------------------- validate_card

TEST(ValidateCard, ValidVisaKeepsLast4NetworkAndExpiry) {
  auto r = validate_card(card("4111111111111111", "12", "2030", "123"), kNow);
  ASSERT_TRUE(r.has_value()) << r.error().description;
  EXPECT_EQ(r->digits, "4111111111111111");
  EXPECT_EQ(r->network, "visa");
  EXPECT_EQ(r->last4, "1111");
  EXPECT_EQ(r->expiry_month, 12);
  EXPECT_EQ(r->expiry_year, 2030);
}

TEST(ValidateCard, NetworksOfValidCards) {
  struct Case {
    const char* number;
    const char* network;
    const char* cvv;
  };
  const Case cases[] = {
      {"5555555555554444", "mastercard", "123"}, {"2221000000000009", "mastercard", "123"},
      {"378282246310005", "amex", "1234"},       {"6011111111111117", "discover", "123"},
      {"30569309025904", "diners", "123"},
  };
  for (const auto& c : cases) {
    auto r = validate_card(card(c.number, "01", "2031", c.cvv), kNow);
    ASSERT_TRUE(r.has_value()) << c.number << ": " << r.error().description;
    EXPECT_EQ(r->network, c.network) << c.number;
    EXPECT_EQ(r->last4, std::string(c.number).substr(std::string(c.number).size() - 4));
  }
  const std::string rupay = with_check_digit("608000000000000");
  auto r = validate_card(card(rupay), kNow);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->network, "rupay");
}

TEST(ValidateCard, SpacesAndDashesAreIgnored) {
  for (const char* n : {"4111 1111 1111 1111", "4111-1111-1111-1111", " 4111-1111 1111-1111 ",
                        "4-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1"}) {
    auto r = validate_card(card(n), kNow);
    ASSERT_TRUE(r.has_value()) << n << ": " << r.error().description;
    EXPECT_EQ(r->digits, "4111111111111111") << n;
    EXPECT_EQ(r->last4, "1111");
  }
}

TEST(ValidateCard, LengthTwelveToNineteenDigits) {
  for (std::size_t len = 12; len <= 19; ++len) {
    const std::string n = with_check_digit("4" + std::string(len - 2, '0'));
    ASSERT_EQ(n.size(), len);
    auto r = validate_card(card(n), kNow);
    EXPECT_TRUE(r.has_value()) << n << ": " << r.error().description;
  }
  const std::string eleven = with_check_digit("4" + std::string(9, '0'));
  ASSERT_EQ(eleven.size(), 11u);
  ASSERT_TRUE(luhn_valid(eleven));
  expect_error(validate_card(card(eleven), kNow), ErrorCode::invalid_card, "card.number");
  const std::string twenty = with_check_digit("4" + std::string(18, '0'));
  ASSERT_EQ(twenty.size(), 20u);
  ASSERT_TRUE(luhn_valid(twenty));
  expect_error(validate_card(card(twenty), kNow), ErrorCode::invalid_card, "card.number");
}

TEST(ValidateCard, LengthCountsDigitsNotSeparators) {
  // 11 digits padded with separators to more than 12 characters still fails.
  const std::string eleven = with_check_digit("4" + std::string(9, '0'));
  expect_error(
      validate_card(card(eleven.substr(0, 4) + " " + eleven.substr(4, 4) + " " + eleven.substr(8)),
                    kNow),
      ErrorCode::invalid_card, "card.number");
}

TEST(ValidateCard, EmptyNumberFails) {
  expect_error(validate_card(card(""), kNow), ErrorCode::invalid_card, "card.number");
  expect_error(validate_card(card("   "), kNow), ErrorCode::invalid_card, "card.number");
}

TEST(ValidateCard, LettersAndOtherCharactersFail) {
  for (const char* n : {"4111a11111111111", "411111111111111x", "4111.1111.1111.1111",
                        "4111_1111_1111_1111", "+4111111111111111", "４111111111111111"}) {
    expect_error(validate_card(card(n), kNow), ErrorCode::invalid_card, "card.number");
  }
}

TEST(ValidateCard, LuhnFailureIsInvalidCard) {
  expect_error(validate_card(card("4111111111111112"), kNow), ErrorCode::invalid_card,
               "card.number");
  expect_error(validate_card(card("4242424242424241"), kNow), ErrorCode::invalid_card,
               "card.number");
}

TEST(ValidateCard, ExpiryMonthOutOfRangeOrNotDigits) {
  for (const char* m : {"0", "00", "13", "99", "ab", "", "-1", "1a", " 1", "012", "+1"}) {
    expect_error(validate_card(card("4111111111111111", m, "2030"), kNow), ErrorCode::expired_card,
                 "card.expiry_month");
  }
}

TEST(ValidateCard, ExpiryMonthsOneToTwelvePass) {
  for (int m = 1; m <= 12; ++m) {
    EXPECT_TRUE(validate_card(card("4111111111111111", std::to_string(m), "2030"), kNow)) << m;
  }
  auto r = validate_card(card("4111111111111111", "07", "2030"), kNow);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->expiry_month, 7);
}

TEST(ValidateCard, ExpiryYearTwoOrFourDigits) {
  auto two = validate_card(card("4111111111111111", "12", "30"), kNow);
  ASSERT_TRUE(two.has_value()) << two.error().description;
  EXPECT_EQ(two->expiry_year, 2030);
  auto four = validate_card(card("4111111111111111", "12", "2030"), kNow);
  ASSERT_TRUE(four.has_value());
  EXPECT_EQ(four->expiry_year, 2030);
  for (const char* y : {"203", "1", "20300", "", "20a0", "ab"}) {
    auto r = validate_card(card("4111111111111111", "12", y), kNow);
    ASSERT_FALSE(r.has_value()) << y;
    EXPECT_EQ(r.error().code, ErrorCode::expired_card) << y;
    EXPECT_EQ(r.error().field, "card.expiry_year") << y;
  }
}

TEST(ValidateCard, CurrentMonthPassesPastMonthFails) {
  // now is June 2026.
  EXPECT_TRUE(validate_card(card("4111111111111111", "6", "2026"), kNow));
  EXPECT_TRUE(validate_card(card("4111111111111111", "06", "26"), kNow));
  EXPECT_TRUE(validate_card(card("4111111111111111", "7", "2026"), kNow));
  EXPECT_TRUE(validate_card(card("4111111111111111", "1", "2027"), kNow));
  expect_error(validate_card(card("4111111111111111", "5", "2026"), kNow), ErrorCode::expired_card,
               "card.expiry_year");
  expect_error(validate_card(card("4111111111111111", "05", "26"), kNow), ErrorCode::expired_card,
               "card.expiry_year");
  expect_error(validate_card(card("4111111111111111", "12", "2025"), kNow), ErrorCode::expired_card,
               "card.expiry_year");
  expect_error(validate_card(card("4111111111111111", "12", "25"), kNow), ErrorCode::expired_card,
               "card.expiry_year");
  expect_error(validate_card(card("4111111111111111", "1", "2026"), kNow), ErrorCode::expired_card,
               "card.expiry_year");
}

TEST(ValidateCard, NowDecidesExpiry) {
  const CardInput in = card("4111111111111111", "6", "2026");
  EXPECT_TRUE(validate_card(in, YearMonth{2026, 6}));
  EXPECT_TRUE(validate_card(in, YearMonth{2025, 12}));
  EXPECT_FALSE(validate_card(in, YearMonth{2026, 7}));
  EXPECT_FALSE(validate_card(in, YearMonth{2027, 1}));
}

TEST(ValidateCard, CvvThreeDigits) {
  EXPECT_TRUE(validate_card(card("4111111111111111", "12", "2030", "000"), kNow));
  EXPECT_TRUE(validate_card(card("4111111111111111", "12", "2030", "987"), kNow));
  for (const char* cvv : {"", "1", "12", "1234", "12a", "abc", " 12", "1 2"}) {
    expect_error(validate_card(card("4111111111111111", "12", "2030", cvv), kNow),
                 ErrorCode::invalid_card, "card.cvv");
  }
}

TEST(ValidateCard, CvvFourDigitsForAmex) {
  EXPECT_TRUE(validate_card(card("378282246310005", "12", "2030", "1234"), kNow));
  EXPECT_TRUE(validate_card(card("3782 822463 10005", "12", "2030", "0000"), kNow));
  for (const char* cvv : {"123", "12345", "12a4", ""}) {
    expect_error(validate_card(card("378282246310005", "12", "2030", cvv), kNow),
                 ErrorCode::invalid_card, "card.cvv");
  }
  // A 4-digit CVV is only for amex.
  expect_error(validate_card(card("4111111111111111", "12", "2030", "1234"), kNow),
               ErrorCode::invalid_card, "card.cvv");
  expect_error(validate_card(card("5555555555554444", "12", "2030", "1234"), kNow),
               ErrorCode::invalid_card, "card.cvv");
}

TEST(ValidateCard, NameIsOptionalAndIgnored) {
  CardInput in = card("4111111111111111");
  in.name = "A Person";
  EXPECT_TRUE(validate_card(in, kNow));
}

TEST(ValidateCard, CurrentYearMonthIsPlausible) {
  const YearMonth ym = current_year_month();
  EXPECT_GE(ym.year, 2025);
  EXPECT_LE(ym.year, 2200);
  EXPECT_GE(ym.month, 1);
  EXPECT_LE(ym.month, 12);
}

// ---------------------------------------------------------------- validate_vpa

void expect_invalid_vpa(std::string_view vpa) {
  auto s = validate_vpa(vpa);
  ASSERT_FALSE(s.has_value()) << "accepted: " << vpa;
  EXPECT_EQ(s.error().code, ErrorCode::invalid_vpa) << vpa;
  EXPECT_EQ(to_string(s.error().code), "INVALID_VPA");
  EXPECT_EQ(s.error().http_status, 400);
  EXPECT_EQ(s.error().field, "vpa");
}

TEST(ValidateVpa, ValidAddresses) {
  for (const char* v : {"user@upi", "a.b_c-d@bank1", "success@upi", "failure@upi", "a@b", "A@B",
                        "9876543210@ybl", "...@x", "-_-@Z9", "user.name@okhdfcbank"}) {
    EXPECT_TRUE(validate_vpa(v).has_value()) << v;
  }
}

TEST(ValidateVpa, InvalidAddresses) {
  for (const char* v : {"",          "user",      "userupi",    "@upi",          "user@",
                        "@",         "a@b@c",     "user@@upi",  "user name@upi", "user@up i",
                        " user@upi", "user@upi ", "user@up-i",  "user@up.i",     "user@up_i",
                        "us+er@upi", "us/er@upi", "user@upi\n", "üser@upi",      "user@üpi"}) {
    expect_invalid_vpa(v);
  }
}

TEST(ValidateVpa, LengthLimit255) {
  const std::string at_limit = std::string(251, 'a') + "@upi";
  ASSERT_EQ(at_limit.size(), 255u);
  EXPECT_TRUE(validate_vpa(at_limit).has_value());
  const std::string over = std::string(252, 'a') + "@upi";
  ASSERT_EQ(over.size(), 256u);
  expect_invalid_vpa(over);
  expect_invalid_vpa(std::string(300, 'a') + "@" + std::string(300, 'b'));
}

TEST(ValidateVpa, EmbeddedNulIsRejected) {
  using namespace std::string_view_literals;
  expect_invalid_vpa("user\0x@upi"sv);
  expect_invalid_vpa("user@upi\0"sv);
}

// ---------------------------------------------------------------- retry_backoff

TEST(MaskVpa, FirstCharacterThreeStarsAndTheHandle) {
  EXPECT_EQ(mask_vpa("alice@okbank"), "a***@okbank");
  EXPECT_EQ(mask_vpa("9876543210@okbank"), "9***@okbank");
  EXPECT_EQ(mask_vpa("a@upi"), "a***@upi");  // the stars do not tell the length
  EXPECT_EQ(mask_vpa("no-handle"), "***");
  EXPECT_EQ(mask_vpa("@upi"), "***");
}

TEST(RetryBackoff, DoublesFromOneSecond) {
  using std::chrono::milliseconds;
  EXPECT_EQ(jobs::retry_backoff(1), milliseconds(1000));
  EXPECT_EQ(jobs::retry_backoff(2), milliseconds(2000));
  EXPECT_EQ(jobs::retry_backoff(3), milliseconds(4000));
  EXPECT_EQ(jobs::retry_backoff(4), milliseconds(8000));
  EXPECT_EQ(jobs::retry_backoff(9), milliseconds(256'000));
}

TEST(RetryBackoff, CappedAtFiveMinutes) {
  using std::chrono::milliseconds;
  EXPECT_EQ(jobs::retry_backoff(10), milliseconds(300'000));
  EXPECT_EQ(jobs::retry_backoff(11), milliseconds(300'000));
  EXPECT_EQ(jobs::retry_backoff(64), milliseconds(300'000));
  EXPECT_EQ(jobs::retry_backoff(1'000'000), milliseconds(300'000));
  EXPECT_EQ(jobs::retry_backoff(INT64_MAX), milliseconds(300'000));
}

TEST(RetryBackoff, NeverDecreasesAndNeverBelowOneSecond) {
  EXPECT_EQ(jobs::retry_backoff(0), std::chrono::milliseconds(1000));
  EXPECT_EQ(jobs::retry_backoff(-5), std::chrono::milliseconds(1000));
  for (std::int64_t a = 1; a < 100; ++a) {
    EXPECT_LE(jobs::retry_backoff(a), jobs::retry_backoff(a + 1)) << a;
  }
}

}  // namespace
}  // namespace paygate
