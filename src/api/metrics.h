// GET /metrics: Prometheus text exposition (version 0.0.4).
#pragma once

#include "api/services.h"
#include "http/router.h"

namespace paygate::api {

void add_metrics_routes(http::Router& router, const Services& s);

}  // namespace paygate::api
