// POST /api/v1/test/reset: registered in test mode only.
#pragma once

#include "api/services.h"
#include "http/router.h"

namespace paygate::api {

void add_test_reset_routes(http::Router& router, const Services& s);

}  // namespace paygate::api
