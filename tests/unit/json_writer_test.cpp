#include "core/json_writer.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace paygate {
namespace {

// Parses out, failing the test when it is not JSON.
boost::json::value parse(const std::string& out) {
  boost::system::error_code ec;
  auto v = boost::json::parse(out, ec);
  EXPECT_FALSE(ec) << "not JSON: " << out << " (" << ec.message() << ")";
  return v;
}

TEST(JsonWriter, EmptyContainers) {
  JsonWriter a;
  a.begin_object().end_object();
  EXPECT_EQ(a.str(), "{}");
  JsonWriter b;
  b.begin_array().end_array();
  EXPECT_EQ(b.str(), "[]");
  JsonWriter c;
  c.begin_array().begin_object().end_object().begin_array().end_array().end_array();
  EXPECT_EQ(c.str(), "[{},[]]");
  parse(c.str());
}

TEST(JsonWriter, FieldsAndCommas) {
  JsonWriter w;
  w.begin_object()
      .field("a", std::int64_t{1})
      .field("b", "two")
      .field("c", true)
      .field("d", false)
      .key("e")
      .null()
      .end_object();
  EXPECT_EQ(w.str(), R"({"a":1,"b":"two","c":true,"d":false,"e":null})");
  parse(w.str());
}

TEST(JsonWriter, Nesting) {
  JsonWriter w;
  w.begin_object().field("id", "order_1");
  w.key("items").begin_array();
  for (std::int64_t i = 1; i <= 3; ++i) w.begin_object().field("n", i).end_object();
  w.end_array();
  w.key("meta").begin_object().key("inner").begin_array().value(std::int64_t{1}).value("x");
  w.end_array().end_object();
  w.field("after", std::int64_t{7});
  w.end_object();
  EXPECT_EQ(w.str(),
            R"({"id":"order_1","items":[{"n":1},{"n":2},{"n":3}],"meta":{"inner":[1,"x"]},)"
            R"("after":7})");
  const auto v = parse(w.str());
  EXPECT_EQ(v.at("items").as_array().size(), 3u);
  EXPECT_EQ(v.at("meta").at("inner").at(1), "x");
  EXPECT_EQ(v.at("after"), 7);
}

TEST(JsonWriter, ArrayOfScalars) {
  JsonWriter w;
  w.begin_array().value("a").value(std::int64_t{-5}).value(true).null().value(0.5).end_array();
  EXPECT_EQ(w.str(), R"(["a",-5,true,null,0.5])");
  parse(w.str());
}

TEST(JsonWriter, IntegerLimits) {
  JsonWriter w;
  w.begin_array()
      .value(std::numeric_limits<std::int64_t>::max())
      .value(std::numeric_limits<std::int64_t>::min())
      .value(std::int64_t{0})
      .end_array();
  EXPECT_EQ(w.str(), "[9223372036854775807,-9223372036854775808,0]");
  const auto v = parse(w.str());
  EXPECT_EQ(v.at(0).as_int64(), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(v.at(1).as_int64(), std::numeric_limits<std::int64_t>::min());
}

TEST(JsonWriter, DoublesStayValidJson) {
  JsonWriter w;
  w.begin_array()
      .value(12.34)
      .value(100.0)
      .value(std::numeric_limits<double>::quiet_NaN())
      .value(std::numeric_limits<double>::infinity())
      .end_array();
  const auto v = parse(w.str());
  ASSERT_TRUE(v.is_array());
  EXPECT_DOUBLE_EQ(v.at(0).to_number<double>(), 12.34);
  EXPECT_DOUBLE_EQ(v.at(1).to_number<double>(), 100.0);
  EXPECT_EQ(v.at(2).to_number<double>(), 0.0);
  EXPECT_EQ(v.at(3).to_number<double>(), 0.0);
}

TEST(JsonWriter, EscapesQuotesBackslashesAndControlCharacters) {
  JsonWriter w;
  w.begin_object().field("s", "say \"hi\" \\ back\nline\r\ttab").end_object();
  EXPECT_EQ(w.str(), R"({"s":"say \"hi\" \\ back\nline\r\ttab"})");

  JsonWriter c;
  c.value(std::string_view("\x01\x08\x0c\x1f\x7f", 5));
  EXPECT_EQ(c.str(), "\"\\u0001\\u0008\\u000c\\u001f\x7f\"");

  JsonWriter nul;
  nul.value(std::string_view("a\0b", 3));
  EXPECT_EQ(nul.str(), R"("a\u0000b")");
  EXPECT_EQ(parse(nul.str()).as_string(), std::string_view("a\0b", 3));
}

TEST(JsonWriter, EveryControlCharacterRoundTrips) {
  std::string all;
  for (int c = 0; c < 0x20; ++c) all.push_back(static_cast<char>(c));
  all += "\"\\/ plain";
  JsonWriter w;
  w.begin_object().field(all, std::string_view(all)).end_object();
  for (char c : w.str()) {
    EXPECT_GE(static_cast<unsigned char>(c), 0x20) << "raw control character in output";
  }
  const auto v = parse(w.str());
  ASSERT_TRUE(v.is_object());
  ASSERT_EQ(v.as_object().size(), 1u);
  EXPECT_EQ(v.as_object().begin()->key(), all);
  EXPECT_EQ(v.as_object().begin()->value().as_string(), all);
}

TEST(JsonWriter, UnicodePassesThrough) {
  const std::string text = "\xe2\x82\xb9 caf\xc3\xa9 \xf0\x9f\x98\x80 \xe0\xa4\xb9\xe0\xa4\xbf";
  JsonWriter w;
  w.begin_object().field("t", std::string_view(text)).end_object();
  EXPECT_EQ(w.str(), "{\"t\":\"" + text + "\"}");
  EXPECT_EQ(parse(w.str()).at("t").as_string(), text);
}

TEST(JsonWriter, KeysAreEscapedToo) {
  JsonWriter w;
  w.begin_object().field("we\"ird\\key\n", "v").end_object();
  EXPECT_EQ(w.str(), R"({"we\"ird\\key\n":"v"})");
  EXPECT_EQ(parse(w.str()).as_object().begin()->key(), "we\"ird\\key\n");
}

TEST(JsonWriter, RawIsWrittenAsItIs) {
  JsonWriter w;
  w.begin_object()
      .field("a", std::int64_t{1})
      .key("notes")
      .raw(R"({"x":"y","n":[1,2]})")
      .field("b", "c")
      .end_object();
  EXPECT_EQ(w.str(), R"({"a":1,"notes":{"x":"y","n":[1,2]},"b":"c"})");
  parse(w.str());

  JsonWriter arr;
  arr.begin_array().raw("1").raw("{}").raw("[]").end_array();
  EXPECT_EQ(arr.str(), "[1,{},[]]");
}

TEST(JsonWriter, Timestamp) {
  JsonWriter w;
  w.begin_object()
      .key("created_at")
      .timestamp(1768561262771058)
      .key("epoch")
      .timestamp(0)
      .end_object();
  EXPECT_EQ(
      w.str(),
      R"({"created_at":"2026-01-16T11:01:02.771058Z","epoch":"1970-01-01T00:00:00.000000Z"})");
  parse(w.str());
}

TEST(JsonWriter, OptionalFieldIsNullWhenEmpty) {
  JsonWriter w;
  w.begin_object()
      .field("receipt", std::optional<std::string>{})
      .field("other", std::optional<std::string>{"r\"1"})
      .end_object();
  EXPECT_EQ(w.str(), R"({"receipt":null,"other":"r\"1"})");
  const auto v = parse(w.str());
  EXPECT_TRUE(v.at("receipt").is_null());
  EXPECT_EQ(v.at("other"), "r\"1");
}

TEST(JsonWriter, TakeMovesTheOutputOut) {
  JsonWriter w;
  w.begin_array().value("x").end_array();
  const std::string out = w.take();
  EXPECT_EQ(out, R"(["x"])");
}

TEST(JsonWriter, AppendJsonStringAppends) {
  std::string out = "prefix:";
  append_json_string(out, "a\"b");
  EXPECT_EQ(out, R"(prefix:"a\"b")");
  std::string empty;
  append_json_string(empty, "");
  EXPECT_EQ(empty, R"("")");
}

TEST(JsonWriter, LargeDocumentParses) {
  JsonWriter w(16);
  w.begin_array();
  for (int i = 0; i < 1000; ++i) {
    w.begin_object()
        .field("i", std::int64_t{i})
        .field("s", std::string_view(std::string(static_cast<std::size_t>(i % 50), 'q')))
        .end_object();
  }
  w.end_array();
  const auto v = parse(w.str());
  ASSERT_TRUE(v.is_array());
  EXPECT_EQ(v.as_array().size(), 1000u);
  EXPECT_EQ(v.at(999).at("i"), 999);
}

}  // namespace
}  // namespace paygate
