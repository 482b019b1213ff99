#include "api/razorpay/routes.h"

namespace paygate::api::razorpay {

void add_order_routes(http::Router&, const Services&) {}

}  // namespace paygate::api::razorpay
