// /payments, /payments/{id}/capture and /payments/public.
#pragma once

#include "api/services.h"
#include "http/json_writer.h"
#include "http/router.h"

namespace paygate::api {

void add_payment_routes(http::Router& router, const Services& s);

void write_payment(http::JsonWriter& w, const Payment& p);

}  // namespace paygate::api
