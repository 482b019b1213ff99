// /test/jobs/enqueue and /test/jobs/status: registered in test mode only.
#pragma once

#include "api/services.h"
#include "http/router.h"

namespace paygate::api {

void add_test_job_routes(http::Router& router, const Services& s);

}  // namespace paygate::api
