// The API's OpenAPI 3.1 description (openapi/paygate.yaml, converted to JSON
// and embedded at build time), served at GET /api/v1/openapi.json.
#pragma once

#include <string_view>

#include "http/router.h"

namespace paygate::api {

// The description as JSON text; defined in the generated openapi_json.cpp.
std::string_view openapi_json();

void add_openapi_routes(http::Router& router);

}  // namespace paygate::api
