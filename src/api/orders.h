// /orders and /orders/public.
#pragma once

#include "api/services.h"
#include "core/render.h"
#include "http/router.h"

namespace paygate::api {

void add_order_routes(http::Router& router, const Services& s);

}  // namespace paygate::api
