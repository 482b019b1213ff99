// Razorpay's error envelope: {"error": {"code", "description", "field"?,
// "source", "step", "reason", "metadata"}} with Razorpay's HTTP statuses.
#pragma once

#include <string_view>

#include "core/error.h"
#include "http/request.h"

namespace paygate::api::razorpay {

http::Reply error_reply(const Error& e, std::string_view request_id);

}  // namespace paygate::api::razorpay
