// /orders and /orders/public.
#pragma once

#include "api/services.h"
#include "http/json_writer.h"
#include "http/router.h"

namespace paygate::api {

void add_order_routes(http::Router& router, const Services& s);

void write_order(http::JsonWriter& w, const Order& o);

}  // namespace paygate::api
