// Rate limits around the route handlers: merchant endpoints per API key,
// public endpoints per client address, and failed authentication per client
// address (it slows secret guessing). Every answer of a limited endpoint
// carries X-RateLimit-Limit/-Remaining/-Reset; a refused one is 429
// RATE_LIMITED with Retry-After.
#pragma once

#include <functional>

#include "config/config.h"
#include "http/router.h"

namespace paygate::api {

// Which bucket a route's requests are counted in. An operator's request
// (a /metrics scrape) has no request budget, but its failed authentications
// count against its address like anyone's.
enum class Audience { none, merchant, shopper, operator_ };

// /api/v1/…/public… is the shopper's, /metrics the operator's; health and test
// routes are not limited.
Audience audience_of(std::string_view pattern);

// Wraps every handler of router with the limits config asks for. Each limit
// is a budget for the whole deployment: this process keeps its share of it,
// one of processes() (unset: one; see share_of).
void add_rate_limits(http::Router& router, const Config& config,
                     std::function<int()> processes = {});

}  // namespace paygate::api
