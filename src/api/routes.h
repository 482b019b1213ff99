// Every route of the API, in one place.
#pragma once

#include "api/services.h"
#include "http/router.h"

namespace paygate::api {

void add_routes(http::Router& router, const Services& s);

}  // namespace paygate::api
