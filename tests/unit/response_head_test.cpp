#include "http/response_head.h"

#include <gtest/gtest.h>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>

namespace paygate::http {
namespace {

namespace bhttp = boost::beast::http;

// What an HTTP client reads from the head and the body that follows it.
bhttp::response<bhttp::string_body> parse(const std::string& head, std::string_view body) {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.eager(true);
  boost::beast::error_code ec;
  const std::string wire = head + std::string(body);
  const auto used = parser.put(boost::asio::buffer(wire), ec);
  EXPECT_FALSE(ec) << ec.message() << "\n" << wire;
  EXPECT_EQ(used, wire.size()) << wire;
  if (!parser.is_done()) parser.put_eof(ec);
  EXPECT_TRUE(parser.is_done()) << wire;
  return parser.release();
}

Reply json_reply(int status, std::string body) {
  Reply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

TEST(ResponseHead, AnswersWithTheFixedFieldsAndTheBodyLength) {
  std::string head;
  const Reply reply = json_reply(201, R"({"id":"order_1"})");
  EXPECT_TRUE(render_response_head(head, reply, "req_1", 11, true));
  EXPECT_TRUE(head.starts_with("HTTP/1.1 201 Created\r\n")) << head;
  EXPECT_TRUE(head.ends_with("\r\n\r\n")) << head;

  const auto res = parse(head, reply.body);
  EXPECT_EQ(res.result_int(), 201);
  EXPECT_EQ(res[bhttp::field::content_type], "application/json");
  EXPECT_EQ(res[bhttp::field::cache_control], "no-store");
  EXPECT_EQ(res["X-Request-Id"], "req_1");
  EXPECT_EQ(res[bhttp::field::content_length], std::to_string(reply.body.size()));
  EXPECT_EQ(res.body(), reply.body);
  EXPECT_TRUE(res.keep_alive());
  EXPECT_EQ(res.count(bhttp::field::connection), 0U);
}

TEST(ResponseHead, ReplyHeadersFollowAndReplaceFixedOnesOfTheSameName) {
  std::string head;
  Reply reply = json_reply(200, "<html></html>");
  reply.content_type = "text/html; charset=utf-8";
  reply.headers.emplace_back("cache-control", "no-cache");
  reply.headers.emplace_back("ETag", "\"abc\"");
  reply.headers.emplace_back("X-RateLimit-Remaining", "9");
  ASSERT_TRUE(render_response_head(head, reply, "r", 11, true));

  const auto res = parse(head, reply.body);
  EXPECT_EQ(res[bhttp::field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ(res.count(bhttp::field::cache_control), 1U) << head;
  EXPECT_EQ(res[bhttp::field::cache_control], "no-cache");
  EXPECT_EQ(res[bhttp::field::etag], "\"abc\"");
  EXPECT_EQ(res["X-RateLimit-Remaining"], "9");
  EXPECT_LT(head.find("ETag"), head.find("X-RateLimit-Remaining")) << "reply's order kept";
}

TEST(ResponseHead, ClosingAndHttp10KeepAliveAreSaid) {
  std::string head;
  const Reply reply = json_reply(400, "{}");
  ASSERT_TRUE(render_response_head(head, reply, "r", 11, false));
  EXPECT_FALSE(parse(head, reply.body).keep_alive());
  EXPECT_NE(head.find("Connection: close\r\n"), std::string::npos) << head;

  ASSERT_TRUE(render_response_head(head, reply, "r", 10, true));
  EXPECT_TRUE(head.starts_with("HTTP/1.0 400 Bad Request\r\n")) << head;
  EXPECT_TRUE(parse(head, reply.body).keep_alive());

  ASSERT_TRUE(render_response_head(head, reply, "r", 10, false));
  EXPECT_FALSE(parse(head, reply.body).keep_alive());
  EXPECT_EQ(head.find("Connection"), std::string::npos) << head;
}

TEST(ResponseHead, NoContentAndNotModifiedHaveNoBodyNorLength) {
  for (const int status : {204, 304}) {
    std::string head = "left over from the last answer";
    const Reply reply = json_reply(status, "");
    EXPECT_FALSE(render_response_head(head, reply, "r", 11, true)) << status;
    EXPECT_TRUE(head.starts_with("HTTP/1.1 " + std::to_string(status))) << head;
    EXPECT_EQ(head.find("Content-Length"), std::string::npos) << head;
    EXPECT_EQ(parse(head, "").result_int(), status);
  }
}

}  // namespace
}  // namespace paygate::http
