#include "api/web.h"

#include <spdlog/spdlog.h>

#include "http/cors.h"

namespace paygate::api {

namespace {

using boost::asio::awaitable;
using http::Reply;
using http::Request;

awaitable<Result<Reply>> serve_file(const http::EmbeddedFile* file, http::PagePolicy policy,
                                    const Request& req) {
  co_return http::file_reply(*file, req, policy);
}

awaitable<Result<Reply>> serve_preflight(std::string_view methods, const Request&) {
  co_return http::preflight_reply(methods);
}

// The default policy, but for images: a Razorpay page's `image` (its logo)
// is on the merchant's own https site.
constexpr std::string_view kCheckoutCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "connect-src 'self'; frame-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'";

bool is_public_api(std::string_view pattern) {
  return pattern == "/api/v1/orders/public" || pattern.starts_with("/api/v1/orders/public/") ||
         pattern == "/api/v1/payments/public" || pattern.starts_with("/api/v1/payments/public/") ||
         pattern.starts_with("/v1/checkout/");  // Razorpay's checkout.js asks for its result
}

}  // namespace

bool add_page(http::Router& router, std::string_view url, std::string_view file_path,
              const http::PagePolicy& policy) {
  const http::EmbeddedFile* file = http::find_embedded_file(file_path);
  if (file == nullptr) {
    spdlog::warn("web: {} is not embedded in this build; {} is not served", file_path, url);
    return false;
  }
  router.add(http::Method::get, url,
             [file, policy](const Request& r) { return serve_file(file, policy, r); });
  return true;
}

void add_embedded_routes(http::Router& router, std::string_view prefix,
                         const http::PagePolicy& policy) {
  for (const auto& f : http::embedded_files()) {
    if (!f.path.starts_with(prefix)) continue;
    const http::EmbeddedFile* file = &f;
    router.add(http::Method::get, f.path,
               [file, policy](const Request& r) { return serve_file(file, policy, r); });
  }
}

void add_public_cors(http::Router& router) {
  router.wrap([](http::Method, std::string_view pattern, http::Handler h) {
    return is_public_api(pattern) ? http::allow_any_origin(std::move(h)) : h;
  });
  for (const auto pattern : {"/api/v1/orders/public", "/api/v1/payments/public"}) {
    router.add(http::Method::options, pattern,
               [](const Request& r) { return serve_preflight("POST, OPTIONS", r); });
  }
  for (const auto pattern : {"/api/v1/orders/public/{id}", "/api/v1/payments/public/{id}"}) {
    router.add(http::Method::options, pattern,
               [](const Request& r) { return serve_preflight("GET, OPTIONS", r); });
  }
}

void add_web_routes(http::Router& router, const Services& s) {
  add_page(router, "/checkout", "/pages/checkout.html",
           {.framing = http::Framing::any, .csp = kCheckoutCsp});
  add_page(router, "/dashboard", "/pages/dashboard.html");
  // The SDK is loaded by <script src> from merchants' pages; no CORS needed.
  add_page(router, "/checkout.js", "/checkout.js");
  // The demo merchant page exists only where the demo merchant does.
  if (s.config.test_mode) add_page(router, "/demo", "/pages/demo.html");
  add_embedded_routes(router, "/static/");
  add_public_cors(router);
}

}  // namespace paygate::api
