// The SSE parser of the CLI's stream readers: the frames paygate sends (its
// documented format) and the rest of the WHATWG rules a server may use.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/sse.h"

namespace paygate::cli {
namespace {

using Kind = SseMessage::Kind;

std::vector<SseMessage> parse_all(std::string_view bytes) {
  SseParser p;
  return p.feed(bytes);
}

constexpr std::string_view kPaygateStream =
    ": connected\n\n"
    "id: 7\nevent: payment.success\ndata: {\"id\":\"evt_1\",\"event\":\"payment.success\"}\n\n"
    ": heartbeat\n\n"
    "id: 8\nevent: refund.processed\ndata: {\"id\":\"evt_2\",\"data\":{\"refund\":{}}}\n\n";

void expect_paygate_stream(const std::vector<SseMessage>& m) {
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0].kind, Kind::kComment);
  EXPECT_EQ(m[0].comment, "connected");
  EXPECT_EQ(m[1].kind, Kind::kEvent);
  EXPECT_EQ(m[1].id, "7");
  EXPECT_EQ(m[1].event, "payment.success");
  EXPECT_EQ(m[1].data, R"({"id":"evt_1","event":"payment.success"})");
  EXPECT_EQ(m[2].kind, Kind::kComment);
  EXPECT_EQ(m[2].comment, "heartbeat");
  EXPECT_EQ(m[3].id, "8");
  EXPECT_EQ(m[3].event, "refund.processed");
  EXPECT_EQ(m[3].data, R"({"id":"evt_2","data":{"refund":{}}})");
}

TEST(CliSse, PaygateFrames) {
  expect_paygate_stream(parse_all(kPaygateStream));
}

TEST(CliSse, AnySplitOfTheBytesGivesTheSameMessages) {
  for (std::size_t cut = 0; cut <= kPaygateStream.size(); ++cut) {
    SseParser p;
    auto m = p.feed(kPaygateStream.substr(0, cut));
    auto rest = p.feed(kPaygateStream.substr(cut));
    m.insert(m.end(), rest.begin(), rest.end());
    SCOPED_TRACE(cut);
    expect_paygate_stream(m);
  }
}

TEST(CliSse, ByteByByte) {
  SseParser p;
  std::vector<SseMessage> m;
  for (const char c : kPaygateStream) {
    auto got = p.feed(std::string_view(&c, 1));
    m.insert(m.end(), got.begin(), got.end());
  }
  expect_paygate_stream(m);
  EXPECT_EQ(p.last_id(), "8");
}

TEST(CliSse, CrLfAndCrEndLinesToo) {
  for (const std::string_view eol : {"\r\n", "\r"}) {
    std::string text;
    for (const std::string_view l : {"id: 3", "event: e", "data: x", ""}) {
      text.append(l).append(eol);
    }
    // Every split, including between the CR and LF of one line end.
    for (std::size_t cut = 0; cut <= text.size(); ++cut) {
      SseParser p;
      auto m = p.feed(std::string_view(text).substr(0, cut));
      auto rest = p.feed(std::string_view(text).substr(cut));
      m.insert(m.end(), rest.begin(), rest.end());
      ASSERT_EQ(m.size(), 1u) << "cut " << cut;
      EXPECT_EQ(m[0].id, "3");
      EXPECT_EQ(m[0].event, "e");
      EXPECT_EQ(m[0].data, "x");
    }
  }
}

TEST(CliSse, DataLinesJoinWithNewlines) {
  const auto m = parse_all("data: one\ndata:two\ndata:  three\ndata\n\n");
  ASSERT_EQ(m.size(), 1u);
  // One leading space is removed, no more; "data" alone is an empty line.
  EXPECT_EQ(m[0].data, "one\ntwo\n three\n");
  EXPECT_EQ(m[0].event, "message");
  EXPECT_FALSE(m[0].id.has_value());
}

TEST(CliSse, EmptyDataIsStillAnEvent) {
  const auto m = parse_all("event: ping\ndata:\n\n");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].kind, Kind::kEvent);
  EXPECT_EQ(m[0].data, "");
}

TEST(CliSse, BlockWithoutDataDispatchesNothingButAnId) {
  const auto m = parse_all("event: nothing\n\nid: 42\n\n\n\n");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].kind, Kind::kIdOnly);
  EXPECT_EQ(m[0].id, "42");
}

TEST(CliSse, LastIdOutlivesBlocksWithoutOne) {
  SseParser p;
  const auto m = p.feed("id: 5\ndata: a\n\ndata: b\n\n");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].id, "5");
  EXPECT_FALSE(m[1].id.has_value());  // the block's own id: none
  EXPECT_EQ(p.last_id(), "5");
}

TEST(CliSse, IdWithNulIsIgnored) {
  SseParser p;
  const auto m = p.feed(std::string("id: a\0b\ndata: x\n\n", 17));
  ASSERT_EQ(m.size(), 1u);
  EXPECT_FALSE(m[0].id.has_value());
  EXPECT_EQ(p.last_id(), "");
}

TEST(CliSse, RetryTakesOnlyDigits) {
  SseParser p;
  p.feed("retry: 1500\n\n");
  EXPECT_EQ(p.retry_ms(), 1500);
  p.feed("retry: 2s\n\nretry: -1\n\nretry:\n\n");
  EXPECT_EQ(p.retry_ms(), 1500);
}

TEST(CliSse, UnknownFieldsAndFieldsWithoutValueAreIgnored) {
  const auto m = parse_all("foo: bar\nevent\nid\ndata: x\n\n");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].event, "message");  // "event" with no value: empty, so the default
  EXPECT_EQ(m[0].id, "");
  EXPECT_EQ(m[0].data, "x");
}

TEST(CliSse, ByteOrderMarkAtTheStartIsDropped) {
  SseParser p;
  auto m = p.feed("\xEF\xBB");
  EXPECT_TRUE(m.empty());
  m = p.feed(
      "\xBF"
      "data: x\n\n");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].data, "x");
  // Only at the start: later it is data.
  m = p.feed("data: \xEF\xBB\xBFy\n\n");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].data, "\xEF\xBB\xBFy");
}

TEST(CliSse, UnfinishedBlockIsNotDispatched) {
  SseParser p;
  EXPECT_TRUE(p.feed("id: 9\nevent: e\ndata: half").empty());
  EXPECT_EQ(p.buffered(), 10u);       // "data: half", waiting for its line end
  EXPECT_TRUE(p.feed("\n").empty());  // the line ends, the block does not
  EXPECT_EQ(p.last_id(), "");         // a dropped connection here must not move the cursor
  const auto m = p.feed("\n");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].data, "half");
}

TEST(CliSse, CommentKeepsItsText) {
  const auto m = parse_all(":no space\n:  two spaces\n:\n");
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].comment, "no space");
  EXPECT_EQ(m[1].comment, " two spaces");
  EXPECT_EQ(m[2].comment, "");
}

}  // namespace
}  // namespace paygate::cli
