// Who a request is from: a merchant by key and secret, or (public endpoints)
// by publishable key alone.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include "api/services.h"
#include "http/request.h"

namespace paygate::api {

// X-Api-Key and X-Api-Secret.
boost::asio::awaitable<Result<Merchant>> authenticate_merchant(const Services& s,
                                                               const http::Request& req);

// The X-Api-Key header, else key_id in the body or the query, else the default
// merchant where one is configured; AUTHENTICATION_ERROR otherwise.
boost::asio::awaitable<Result<Merchant>> resolve_public_merchant(const Services& s,
                                                                 const http::Request& req,
                                                                 const boost::json::object* body);

}  // namespace paygate::api
