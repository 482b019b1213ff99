#include "core/order_rules.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdint>
#include <limits>
#include <string>

namespace paygate {
namespace {

NewOrder valid_order() {
  NewOrder o;
  o.amount = 50'000;
  o.currency = "INR";
  return o;
}

// Expects s to be the contract's 400 BAD_REQUEST_ERROR about field.
void expect_bad(const Status& s, std::string_view field) {
  ASSERT_FALSE(s.has_value()) << "expected an error about " << field;
  EXPECT_EQ(s.error().code, ErrorCode::bad_request);
  EXPECT_EQ(to_string(s.error().code), "BAD_REQUEST_ERROR");
  EXPECT_EQ(s.error().http_status, 400);
  EXPECT_EQ(s.error().field, field);
  EXPECT_FALSE(s.error().description.empty());
}

void expect_ok(const Status& s) {
  EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().description);
}

// n UTF-8 characters, each of bytes_per_char bytes.
std::string chars(std::size_t n, int bytes_per_char = 1) {
  const char* c = bytes_per_char == 1 ? "a" : bytes_per_char == 2 ? "\xc3\xa9" : "\xe2\x82\xb9";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += c;
  return s;
}

TEST(OrderRules, AValidOrderPasses) {
  expect_ok(validate_new_order(valid_order()));
}

TEST(OrderRules, AmountBoundaries) {
  auto with_amount = [](std::int64_t amount) {
    NewOrder o = valid_order();
    o.amount = amount;
    return validate_new_order(o);
  };
  expect_bad(with_amount(99), "amount");
  expect_ok(with_amount(100));
  expect_ok(with_amount(101));
  expect_ok(with_amount(kMaxOrderAmount - 1));
  expect_ok(with_amount(kMaxOrderAmount));
  expect_bad(with_amount(kMaxOrderAmount + 1), "amount");
  expect_bad(with_amount(0), "amount");
  expect_bad(with_amount(-1), "amount");
  expect_bad(with_amount(-100), "amount");
  expect_bad(with_amount(std::numeric_limits<std::int64_t>::min()), "amount");
  expect_bad(with_amount(std::numeric_limits<std::int64_t>::max()), "amount");
  EXPECT_EQ(kMinOrderAmount, 100);
  EXPECT_EQ(kMaxOrderAmount, 10'000'000'000'000);
}

TEST(OrderRules, AmountErrorsSayWhatIsAllowed) {
  NewOrder o = valid_order();
  o.amount = 99;
  auto s = validate_new_order(o);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().description.find("100"), std::string::npos) << s.error().description;
  EXPECT_NE(s.error().description.find("amount"), std::string::npos) << s.error().description;
}

TEST(OrderRules, SupportedCurrencies) {
  for (const char* c : {"AED", "AUD", "CAD", "CHF", "EUR", "GBP", "HKD", "INR", "MYR", "NZD", "SAR",
                        "SGD", "USD", "ZAR"}) {
    EXPECT_TRUE(is_supported_currency(c)) << c;
    NewOrder o = valid_order();
    o.currency = c;
    expect_ok(validate_new_order(o));
  }
}

TEST(OrderRules, UnsupportedCurrencies) {
  for (const char* c :
       {"", "inr", "Inr", "IN", "INRR", " INR", "INR ", "XYZ", "JPY", "KWD", "BTC", "usd"}) {
    EXPECT_FALSE(is_supported_currency(c)) << c;
    NewOrder o = valid_order();
    o.currency = c;
    expect_bad(validate_new_order(o), "currency");
  }
  EXPECT_FALSE(is_supported_currency(std::string_view("INR\0", 4)));
}

TEST(OrderRules, CurrencyDefaultsToInr) {
  NewOrder o;
  o.amount = 100;
  EXPECT_EQ(o.currency, "INR");
  expect_ok(validate_new_order(o));
}

TEST(OrderRules, ReceiptLength) {
  NewOrder o = valid_order();
  o.receipt = std::nullopt;
  expect_ok(validate_new_order(o));
  o.receipt = "";
  expect_ok(validate_new_order(o));
  o.receipt = chars(39);
  expect_ok(validate_new_order(o));
  o.receipt = chars(40);
  expect_ok(validate_new_order(o));
  o.receipt = chars(41);
  expect_bad(validate_new_order(o), "receipt");
  o.receipt = chars(1000);
  expect_bad(validate_new_order(o), "receipt");
}

// The contract counts characters, not bytes: 40 two- or three-byte characters are a valid receipt.
TEST(OrderRules, ReceiptLengthCountsCharactersNotBytes) {
  NewOrder o = valid_order();
  o.receipt = chars(40, 2);
  expect_ok(validate_new_order(o));
  o.receipt = chars(40, 3);
  expect_ok(validate_new_order(o));
  o.receipt = chars(41, 2);
  expect_bad(validate_new_order(o), "receipt");
  o.receipt = chars(41, 3);
  expect_bad(validate_new_order(o), "receipt");
}

boost::json::object notes_with(std::size_t keys) {
  boost::json::object notes;
  for (std::size_t i = 0; i < keys; ++i) notes["key" + std::to_string(i)] = "value";
  return notes;
}

TEST(OrderRules, NotesKeyCount) {
  NewOrder o = valid_order();
  o.notes = notes_with(0);
  expect_ok(validate_new_order(o));
  o.notes = notes_with(1);
  expect_ok(validate_new_order(o));
  o.notes = notes_with(14);
  expect_ok(validate_new_order(o));
  o.notes = notes_with(15);
  expect_ok(validate_new_order(o));
  o.notes = notes_with(16);
  expect_bad(validate_new_order(o), "notes");
  o.notes = notes_with(100);
  expect_bad(validate_new_order(o), "notes");
}

TEST(OrderRules, NoteValueLength) {
  NewOrder o = valid_order();
  o.notes = {{"a", chars(0)}};
  expect_ok(validate_new_order(o));
  o.notes = {{"a", chars(255)}};
  expect_ok(validate_new_order(o));
  o.notes = {{"a", chars(256)}};
  expect_ok(validate_new_order(o));
  o.notes = {{"a", chars(257)}};
  expect_bad(validate_new_order(o), "notes");
  // Only the long one is wrong; the description names it.
  o.notes = {{"fine", "x"}, {"too_long", chars(257)}};
  auto s = validate_new_order(o);
  expect_bad(s, "notes");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().description.find("too_long"), std::string::npos) << s.error().description;
}

TEST(OrderRules, NoteValueLengthCountsCharactersNotBytes) {
  NewOrder o = valid_order();
  o.notes = {{"a", chars(256, 3)}};
  expect_ok(validate_new_order(o));
  o.notes = {{"a", chars(257, 2)}};
  expect_bad(validate_new_order(o), "notes");
}

TEST(OrderRules, NoteValuesMustBeStrings) {
  const boost::json::value non_strings[] = {
      boost::json::value(1),
      boost::json::value(1.5),
      boost::json::value(true),
      boost::json::value(nullptr),
      boost::json::value(boost::json::array{"a"}),
      boost::json::value(boost::json::object{{"nested", "x"}}),
  };
  for (const auto& v : non_strings) {
    NewOrder o = valid_order();
    o.notes = {{"ok", "x"}, {"bad_key", v}};
    auto s = validate_new_order(o);
    expect_bad(s, "notes");
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().description.find("bad_key"), std::string::npos) << s.error().description;
  }
}

TEST(OrderRules, NoteKeyLength) {
  NewOrder o = valid_order();
  o.notes = {{chars(256), "v"}};
  expect_ok(validate_new_order(o));
  o.notes = {{chars(257), "v"}};
  expect_bad(validate_new_order(o), "notes");
  o.notes = {{"", "empty key"}};
  expect_ok(validate_new_order(o));
}

TEST(OrderRules, FirstProblemIsReported) {
  NewOrder o;
  o.amount = 1;
  o.currency = "XXX";
  o.receipt = chars(41);
  o.notes = notes_with(16);
  expect_bad(validate_new_order(o), "amount");
  o.amount = 100;
  expect_bad(validate_new_order(o), "currency");
  o.currency = "INR";
  expect_bad(validate_new_order(o), "receipt");
  o.receipt = "r";
  expect_bad(validate_new_order(o), "notes");
}

TEST(OrderPageRules, DefaultsAreValid) {
  expect_ok(validate_order_page(OrderPage{}));
}

TEST(OrderPageRules, CountBoundaries) {
  auto with_count = [](std::int64_t count) {
    OrderPage p;
    p.count = count;
    return validate_order_page(p);
  };
  expect_bad(with_count(-1), "count");
  expect_bad(with_count(0), "count");
  expect_ok(with_count(1));
  expect_ok(with_count(99));
  expect_ok(with_count(100));
  expect_bad(with_count(101), "count");
  expect_bad(with_count(std::numeric_limits<std::int64_t>::max()), "count");
  expect_bad(with_count(std::numeric_limits<std::int64_t>::min()), "count");
}

TEST(OrderPageRules, SkipBoundaries) {
  OrderPage p;
  p.skip = 0;
  expect_ok(validate_order_page(p));
  p.skip = 1'000'000;
  expect_ok(validate_order_page(p));
  p.skip = -1;
  expect_bad(validate_order_page(p), "skip");
}

TEST(OrderPageRules, FromAndTo) {
  OrderPage p;
  p.from = 0;
  p.to = 0;
  expect_ok(validate_order_page(p));
  p.from = 5;
  p.to = 5;
  expect_ok(validate_order_page(p));
  p.from = 5;
  p.to = 6;
  expect_ok(validate_order_page(p));
  p.from = 6;
  p.to = 5;
  expect_bad(validate_order_page(p), "from");
  p.from = -1;
  p.to = 5;
  expect_bad(validate_order_page(p), "from");
  p.from = 0;
  p.to = -1;
  expect_bad(validate_order_page(p), "to");
}

}  // namespace
}  // namespace paygate
