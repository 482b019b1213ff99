#include "api/docs.h"

#include "api/web.h"
#include "core/json_writer.h"
#include "core/merchant.h"

namespace paygate::api {

namespace {

// A script, not inline in the page: the pages' CSP allows only the server's own
// script files. The credentials are the demo merchant's, which the contract
// publishes and which exist only in test mode.
std::string config_script(bool test_mode) {
  JsonWriter w(192);
  w.begin_object().field("url", "/api/v1/openapi.json").field("testMode", test_mode);
  if (test_mode) w.field("apiKey", kDemoApiKey).field("apiSecret", kDemoApiSecret);
  w.end_object();
  return "window.PAYGATE_DOCS = " + w.take() + ";\n";
}

boost::asio::awaitable<Result<http::Reply>> serve_config(const std::string* script,
                                                         const http::Request&) {
  http::Reply reply{200, *script, "text/javascript; charset=utf-8", {}};
  http::add_security_headers(reply, {});
  co_return reply;
}

}  // namespace

void add_docs_routes(http::Router& router, const Services& s) {
  if (!add_page(router, "/docs", "/pages/docs.html")) return;
  // Lives as long as the router's handlers: one per process, built once.
  static const std::string test_script = config_script(true);
  static const std::string live_script = config_script(false);
  const std::string* script = s.config.test_mode ? &test_script : &live_script;
  router.add(http::Method::get, "/docs/config.js",
             [script](const http::Request& r) { return serve_config(script, r); });
}

}  // namespace paygate::api
