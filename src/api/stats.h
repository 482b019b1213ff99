// GET /api/v1/admin/stats: the calling merchant's statistics.
#pragma once

#include "api/services.h"
#include "http/router.h"

namespace paygate::api {

void add_stats_routes(http::Router& router, const Services& s);

}  // namespace paygate::api
