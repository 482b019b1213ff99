// libFuzzer: the HTTP request parsing path of the server (src/http/server.cpp):
// Beast's request parser with the server's header and body limits, then what
// the server does with a parsed request before a handler runs: target split,
// header and query lookups, route matching on the API's real patterns, and
// the error reply.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/beast_request.h"
#include "http/request.h"
#include "http/router.h"

using namespace paygate;
namespace bhttp = boost::beast::http;

namespace {

const http::Router& routes() {
  static const http::Router router = [] {
    http::Router r;
    const http::Handler none;
    const std::pair<http::Method, std::string_view> patterns[] = {
        {http::Method::get, "/health"},
        {http::Method::get, "/api/v1/health"},
        {http::Method::post, "/api/v1/orders"},
        {http::Method::get, "/api/v1/orders"},
        {http::Method::get, "/api/v1/orders/{id}"},
        {http::Method::post, "/api/v1/orders/public"},
        {http::Method::get, "/api/v1/orders/public/{id}"},
        {http::Method::post, "/api/v1/payments"},
        {http::Method::get, "/api/v1/payments/{id}"},
        {http::Method::post, "/api/v1/payments/{id}/capture"},
        {http::Method::post, "/api/v1/payments/public"},
        {http::Method::post, "/api/v1/refunds"},
        {http::Method::get, "/api/v1/refunds/{id}"},
        {http::Method::patch, "/api/v1/webhooks/{id}"},
        {http::Method::del, "/api/v1/webhooks/{id}"},
        {http::Method::post, "/api/v1/webhooks/{id}/rotate-secret"},
        {http::Method::get, "/api/v1/webhook-logs"},
    };
    for (const auto& [m, p] : patterns) r.add(m, p, none);
    return r;
  }();
  return router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(http::kHeaderLimit);
  parser.body_limit(64 * 1024);
  boost::beast::error_code ec;
  // Fed as bytes arrive from a socket: the first half, then the rest.
  std::size_t offset = 0;
  std::size_t available = size / 2;
  while (!parser.is_done()) {
    const std::size_t n = parser.put(boost::asio::buffer(data + offset, available - offset), ec);
    offset += n;
    if (ec && ec != bhttp::error::need_more) break;
    if (ec || n == 0) {  // needs bytes not yet "arrived"
      if (available == size) break;
      ec = {};
      available = size;
    }
  }
  if (ec == bhttp::error::need_more) {
    ec = {};
    // The server's stream sees EOF; Beast asserts that some bytes came first.
    if (parser.got_some()) parser.put_eof(ec);
  }
  if (ec || !parser.is_done()) {
    (void)http::error_reply(Error::bad_request("malformed HTTP request: " + ec.message()), "req_x");
    return 0;
  }
  const auto& req = parser.get();
  const http::Request request = http::request_view(req);
  (void)request.header("X-Api-Key");
  (void)request.find_header("Idempotency-Key");
  for (auto name : {"count", "skip", "key_id", "url", "from"}) (void)request.query_param(name);
  const auto match = routes().match(request.method, request.path);
  (void)match;
  return 0;
}
