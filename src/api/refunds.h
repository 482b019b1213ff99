// /refunds.
#pragma once

#include "api/services.h"
#include "http/json_writer.h"
#include "http/router.h"

namespace paygate::api {

void add_refund_routes(http::Router& router, const Services& s);

void write_refund(http::JsonWriter& w, const Refund& r);

}  // namespace paygate::api
