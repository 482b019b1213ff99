// From a request Beast parsed to the Request handlers see: one place, used by
// the server and by the HTTP fuzz target, so the fuzzer runs the real thing.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <cstddef>

#include "http/request.h"

namespace paygate::http {

// The most bytes a request's start line and headers may take.
inline constexpr std::size_t kHeaderLimit = 16 * 1024;

Method method_of(boost::beast::http::verb verb);

// req's method, path, query, body and headers, borrowed from req (which must
// outlive the result). What the connection knows (request id, remote address,
// notes) is the caller's to add.
Request request_view(const boost::beast::http::request<boost::beast::http::string_body>& req);

}  // namespace paygate::http
