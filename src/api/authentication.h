// The shopper's authentication step of the test instruments that ask for one:
// the hosted page (/authenticate/{payment_id}?token=...) and the public API it
// calls, GET and POST /api/v1/payments/public/{id}/authentication.
#pragma once

#include <string>

#include "api/services.h"
#include "http/router.h"

namespace paygate::api {

// The API's routes; before the rate limits, which cover them as the checkout's.
void add_authentication_routes(http::Router& router, const Services& s);
// The page; after the rate limits, as the other pages.
void add_authentication_page(http::Router& router);

// "scheme://host[:port]" the pages are served at, for URLs in answers that a
// browser opens: PAYGATE_PUBLIC_URL, else http:// and the request's Host.
std::string page_base_url(const Config& config, const http::Request& req);

}  // namespace paygate::api
