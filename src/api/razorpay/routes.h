// Razorpay's dialect of the API, under /v1/: the same core services as
// /api/v1, with Razorpay's paths, shapes, statuses and error envelope.
#pragma once

#include "api/services.h"
#include "http/router.h"

namespace paygate::api::razorpay {

void add_routes(http::Router& router, const Services& s);

// One per resource (orders.cpp, payments.cpp, refunds.cpp, checkout.cpp).
void add_order_routes(http::Router& router, const Services& s);
void add_payment_routes(http::Router& router, const Services& s);
void add_refund_routes(http::Router& router, const Services& s);
void add_checkout_routes(http::Router& router, const Services& s);

}  // namespace paygate::api::razorpay
