// /docs: the OpenAPI description rendered by Swagger UI (embedded at build
// time, see scripts/fetch-swagger-ui.sh), and /docs/config.js, its settings
// for this server (the demo credentials in test mode).
#pragma once

#include "api/services.h"
#include "http/router.h"

namespace paygate::api {

void add_docs_routes(http::Router& router, const Services& s);

}  // namespace paygate::api
