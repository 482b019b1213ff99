#include "api/razorpay/routes.h"

namespace paygate::api::razorpay {

void add_checkout_routes(http::Router&, const Services&) {}

}  // namespace paygate::api::razorpay
