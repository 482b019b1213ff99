// The web pages served by the gateway itself (hosted checkout, checkout.js,
// dashboard, test-mode demo), their assets, and CORS on the public API.
#pragma once

#include <string_view>

#include "api/services.h"
#include "http/router.h"
#include "http/static_files.h"

namespace paygate::api {

void add_web_routes(http::Router& router, const Services& s);

// GET url answers the embedded file at file_path (e.g. "/pages/checkout.html")
// with the policy's security headers. False, and nothing added, when no such
// file was embedded.
bool add_page(http::Router& router, std::string_view url, std::string_view file_path,
              const http::PagePolicy& policy = {});

// A GET route for every embedded file whose path starts with prefix (e.g.
// "/static/"), at that path.
void add_embedded_routes(http::Router& router, std::string_view prefix,
                         const http::PagePolicy& policy = {});

// CORS on the public (checkout) endpoints, with their OPTIONS preflights.
// Call after the routes it wraps were added.
void add_public_cors(http::Router& router);

}  // namespace paygate::api
