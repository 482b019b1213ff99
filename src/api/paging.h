// The paging query parameters every list endpoint takes: count, skip, from, to.
#pragma once

#include "core/paging.h"
#include "http/request.h"

namespace paygate::api {

// from/to are unix times in seconds; `to` includes its whole second.
Result<PageWindow> parse_page_window(const http::Request& req);
// Only from/to (count and skip keep their defaults).
Result<PageWindow> parse_time_window(const http::Request& req);

}  // namespace paygate::api
