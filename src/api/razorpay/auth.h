// The Razorpay dialect's authentication: HTTP Basic with key_id:key_secret,
// which are the merchant's API key and secret.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "api/services.h"
#include "http/request.h"

namespace paygate::api::razorpay {

boost::asio::awaitable<Result<Merchant>> authenticate(const Services& s, const http::Request& req);

}  // namespace paygate::api::razorpay
