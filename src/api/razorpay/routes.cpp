#include "api/razorpay/routes.h"

#include "api/razorpay/errors.h"

namespace paygate::api::razorpay {

void add_routes(http::Router& router, const Services& s) {
  // Every answer under /v1/ (unknown paths, limits, idempotency) is an error
  // in Razorpay's envelope, so that the SDKs raise what integrations handle.
  router.set_error_renderer("/v1/", &error_reply);
  add_order_routes(router, s);
  add_payment_routes(router, s);
  add_refund_routes(router, s);
  add_checkout_routes(router, s);
}

}  // namespace paygate::api::razorpay
