// A refund request in Razorpay's words, for both POST /v1/refunds and
// POST /v1/payments/{id}/refund.
#pragma once

#include <string_view>

#include "core/error.h"
#include "core/refund.h"

namespace paygate::api::razorpay {

// payment_id: the path's, or "" to take the body's.
Result<NewRefund> parse_new_refund(std::string_view body, std::string_view payment_id);

}  // namespace paygate::api::razorpay
