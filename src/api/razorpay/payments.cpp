#include "api/razorpay/routes.h"

namespace paygate::api::razorpay {

void add_payment_routes(http::Router&, const Services&) {}

}  // namespace paygate::api::razorpay
