// /webhooks and /webhook-logs.
#pragma once

#include "api/services.h"
#include "http/router.h"

namespace paygate::api {

void add_webhook_routes(http::Router& router, const Services& s);

}  // namespace paygate::api
