// Attacks that docs/SECURITY.md names and no other test covers: request
// smuggling (ambiguous message framing) and SQL injection through ids,
// fields and query parameters.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "harness.h"

namespace paygate::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

std::string auth_lines() {
  return "X-Api-Key: " + std::string(kDemoKey) + "\r\nX-Api-Secret: " + std::string(kDemoSecret) +
         "\r\n";
}

// The request is refused with 400 and the connection closed, so that nothing
// after it can be read as a second request.
void expect_refused_and_closed(const TestServer& server, const std::string& raw) {
  RawConnection conn(server.port());
  conn.send(raw);
  const auto res = conn.read_response(5s);
  EXPECT_EQ(res.status, 400) << raw;
  EXPECT_EQ(res.error_code(), "BAD_REQUEST_ERROR") << res.body;
  EXPECT_TRUE(conn.closed_by_server(3s)) << raw;
}

TEST(Smuggling, ContentLengthWithTransferEncodingIsRefused) {
  auto server = TestServer::start();
  expect_refused_and_closed(*server, "POST /api/v1/orders HTTP/1.1\r\nHost: x\r\n" + auth_lines() +
                                         "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n"
                                         "0\r\n\r\nGET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
}

TEST(Smuggling, TransferEncodingNotEndingInChunkedIsRefused) {
  auto server = TestServer::start();
  for (const char* te : {"chunked, identity", "gzip", "identity"}) {
    expect_refused_and_closed(*server, "POST /api/v1/orders HTTP/1.1\r\nHost: x\r\n" +
                                           auth_lines() + "Transfer-Encoding: " + te +
                                           "\r\n\r\n0\r\n\r\nGET /x HTTP/1.1\r\n\r\n");
  }
}

TEST(Smuggling, ConflictingContentLengthsAreRefused) {
  auto server = TestServer::start();
  expect_refused_and_closed(*server, "POST /api/v1/orders HTTP/1.1\r\nHost: x\r\n" + auth_lines() +
                                         "Content-Length: 15\r\nContent-Length: 5\r\n\r\n"
                                         "{\"amount\": 500}");
  expect_refused_and_closed(*server, "POST /api/v1/orders HTTP/1.1\r\nHost: x\r\n" + auth_lines() +
                                         "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n");
}

TEST(SqlInjection, IdsFieldsAndQueriesAreOnlyData) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string evil = "x' OR '1'='1'; DROP TABLE orders; --";
  const json::object body{{"amount", 500}, {"receipt", evil}, {"notes", {{"k", evil}}}};
  const auto created = c.post("/api/v1/orders", json::serialize(body), demo_auth());
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(str(created.json().at("receipt")), evil);

  for (const std::string path :
       {"/api/v1/orders/order_x'%20OR%20'1'='1", "/api/v1/orders/'%3B%20DROP%20TABLE%20orders%3B--",
        "/api/v1/payments/pay_1%20OR%201=1", "/api/v1/refunds/rfnd_'--"}) {
    EXPECT_EQ(c.get(path, demo_auth()).status, 404) << path;
  }
  const auto list = c.get("/api/v1/orders?count=1%20OR%201=1", demo_auth());
  EXPECT_EQ(list.status, 400) << list.body;
  const json::object refund{{"payment_id", evil}, {"amount", 100}};
  EXPECT_EQ(c.post("/api/v1/refunds", json::serialize(refund), demo_auth()).status, 404);
  EXPECT_EQ(c.get("/api/v1/orders", {{"X-Api-Key", evil}, {"X-Api-Secret", evil}}).status, 401);

  // The table and the order are still there, the text stored as given.
  const auto again = c.get("/api/v1/orders/" + str(created.json().at("id")), demo_auth());
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(str(again.json().at("receipt")), evil);
  EXPECT_EQ(c.get("/api/v1/orders", demo_auth()).json().at("count"), 1);
}

}  // namespace
}  // namespace paygate::test
