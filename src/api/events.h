// /events: the events log (list, fetch, resend) and the live streams of
// events and of the merchant's own requests (Server-Sent Events).
#pragma once

#include "api/services.h"
#include "http/router.h"

namespace paygate::api {

void add_event_routes(http::Router& router, const Services& s);

}  // namespace paygate::api
