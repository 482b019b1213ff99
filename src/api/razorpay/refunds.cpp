#include "api/razorpay/routes.h"

namespace paygate::api::razorpay {

void add_refund_routes(http::Router&, const Services&) {}

}  // namespace paygate::api::razorpay
