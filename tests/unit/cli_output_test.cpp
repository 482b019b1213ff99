// How the CLI prints rows: aligned text, colours only when asked, and with
// --format json one parseable object per line with typed values.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/output.h"

namespace paygate::cli {
namespace {

namespace json = boost::json;

TEST(CliOutput, TextPadsEachColumnButNotTheLast) {
  const std::vector<Cell> row{{"event", std::string("payment.success"), Style::kBold, 18},
                              {"status", std::int64_t{200}, Style::kGreen, 5},
                              {"url", std::string("http://x/"), Style::kPlain, 30}};
  EXPECT_EQ(render_row(row, Format::kText, false), "payment.success     200    http://x/");
}

TEST(CliOutput, LongerValueIsNotCut) {
  const std::vector<Cell> row{{"a", std::string("abcdef"), Style::kPlain, 3},
                              {"b", std::string("x")}};
  EXPECT_EQ(render_row(row, Format::kText, false), "abcdef  x");
}

TEST(CliOutput, NullShowsAsDashAndBoolsAsWords) {
  const std::vector<Cell> row{{"a", Null{}}, {"b", true}, {"c", std::int64_t{-3}}};
  EXPECT_EQ(render_row(row, Format::kText, false), "-  true  -3");
}

TEST(CliOutput, ColourWrapsTheValueNotThePadding) {
  const std::vector<Cell> row{{"s", std::int64_t{404}, status_style(404), 5},
                              {"p", std::string("/x"), Style::kPlain}};
  EXPECT_EQ(render_row(row, Format::kText, true), "\x1b[33m404\x1b[0m    /x");
  EXPECT_EQ(render_row(row, Format::kText, false), "404    /x");
}

TEST(CliOutput, JsonIsOneObjectWithTypedValues) {
  const std::vector<Cell> row{{"event", std::string("payment.success"), Style::kBold, 18},
                              {"status", std::int64_t{200}},
                              {"seq", Null{}},
                              {"ok", false},
                              {"note", std::string("a \"quoted\"\nline")}};
  const std::string line = render_row(row, Format::kJson, true);
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  EXPECT_EQ(line.find('\x1b'), std::string::npos) << "no colour in JSON: " << line;
  const json::value v = json::parse(line);
  EXPECT_EQ(v.at("event"), "payment.success");
  EXPECT_EQ(v.at("status"), 200);
  EXPECT_TRUE(v.at("seq").is_null());
  EXPECT_EQ(v.at("ok"), false);
  EXPECT_EQ(v.at("note"), "a \"quoted\"\nline");
  // In the order of the cells.
  EXPECT_TRUE(line.starts_with(R"({"event":)")) << line;
}

TEST(CliOutput, StatusStyles) {
  EXPECT_EQ(status_style(200), Style::kGreen);
  EXPECT_EQ(status_style(204), Style::kGreen);
  EXPECT_EQ(status_style(302), Style::kCyan);
  EXPECT_EQ(status_style(404), Style::kYellow);
  EXPECT_EQ(status_style(503), Style::kRed);
  EXPECT_EQ(status_style(0), Style::kRed);
}

TEST(CliOutput, AlignColumnsUsesTheWidestValue) {
  std::vector<std::vector<Cell>> rows{
      {{"a", std::string("x")}, {"b", std::string("1")}, {"c", std::string("end")}},
      {{"a", std::string("longer")}, {"b", std::string("22")}, {"c", std::string("e")}},
  };
  align_columns(rows);
  EXPECT_EQ(render_row(rows[0], Format::kText, false), "x       1   end");
  EXPECT_EQ(render_row(rows[1], Format::kText, false), "longer  22  e");
}

TEST(CliOutput, ParseFormat) {
  Format f = Format::kText;
  EXPECT_TRUE(parse_format("json", f));
  EXPECT_EQ(f, Format::kJson);
  EXPECT_TRUE(parse_format("text", f));
  EXPECT_EQ(f, Format::kText);
  EXPECT_FALSE(parse_format("yaml", f));
  EXPECT_FALSE(parse_format("JSON", f));
}

TEST(CliOutput, PrinterWritesLinesAndNoColourToAFile) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  Printer p(Format::kText, f);
  EXPECT_FALSE(p.color());  // not a terminal
  p.row({{"a", std::string("x"), Style::kRed, 3}, {"b", std::int64_t{1}}});
  p.line("raw");
  std::rewind(f);
  char buf[64] = {};
  const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  EXPECT_EQ(std::string(buf, n), "x    1\nraw\n");
}

}  // namespace
}  // namespace paygate::cli
