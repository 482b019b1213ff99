// GET /api/v1/health and GET /health.
#pragma once

#include "api/services.h"
#include "http/router.h"

namespace paygate::api {

void add_health_routes(http::Router& router, const Services& s);

}  // namespace paygate::api
