// /payments, /payments/{id}/capture and /payments/public.
#pragma once

#include "api/services.h"
#include "core/render.h"
#include "http/router.h"

namespace paygate::api {

void add_payment_routes(http::Router& router, const Services& s);

}  // namespace paygate::api
