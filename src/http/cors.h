// CORS for the public (checkout) endpoints, so that checkout.js on a
// merchant's own origin can create orders and payments and poll them.
// Any origin is allowed, as Stripe and Razorpay allow for their publishable-
// key endpoints: these calls carry no secret and no cookie.
#pragma once

#include "http/router.h"

namespace paygate::http {

// The handler, answering with Access-Control-Allow-Origin: * and the headers
// a page may read; its errors are rendered here (not by the server) so that
// they carry the CORS headers too, and a page can show why a call failed.
Handler allow_any_origin(Handler inner);

// The answer to a CORS preflight (OPTIONS) for the given methods.
Reply preflight_reply(std::string_view methods);

}  // namespace paygate::http
