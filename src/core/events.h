// Events: written in the same transaction as the state change that causes
// them, with one delivery (and its job) per active endpoint subscribed.
#pragma once

#include <string_view>

#include "core/webhook.h"
#include "store/database.h"
#include "store/function_ref.h"

namespace paygate {

// {"id": "evt_…", "event": type, "created_at": …, "data": {object_name: object_json}}
std::string event_payload(std::string_view event_id, std::string_view type, Micros created_at,
                          std::string_view object_name, std::string_view object_json);

// Records the event and queues its delivery to every active endpoint of the
// merchant subscribed to its type (nothing at all when there is none: then
// render_object, which gives the object's JSON, is not even called).
Status emit_event(store::Connection& conn, std::string_view merchant_id, std::string_view type,
                  std::string_view object_name, FunctionRef<std::string()> render_object,
                  Micros now);

// Records the event and queues its delivery to one endpoint (webhook.test).
Result<Delivery> emit_event_to(store::Connection& conn, const WebhookEndpoint& endpoint,
                               std::string_view type, std::string_view object_name,
                               std::string_view object_json, Micros now);

// Queues a fresh delivery attempt of an existing log entry, now.
Status queue_delivery(store::Connection& conn, const Delivery& delivery, Micros now);

}  // namespace paygate
