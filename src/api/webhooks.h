// /webhooks and /webhook-logs.
#pragma once

#include "api/services.h"
#include "core/json_writer.h"
#include "http/router.h"

namespace paygate::api {

void add_webhook_routes(http::Router& router, const Services& s);

// A delivery as /webhook-logs shows it, with its attempts when given.
void write_delivery(JsonWriter& w, const Delivery& d, const std::vector<DeliveryAttempt>* attempts);

}  // namespace paygate::api
