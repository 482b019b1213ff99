// Events: written in the same transaction as the state change that causes
// them, with one delivery (and its job) per active endpoint subscribed.
#pragma once

#include <string_view>

#include "core/event_format.h"
#include "core/webhook.h"
#include "store/database.h"

namespace paygate {

// {"id": "evt_…", "event": type, "created_at": …, "data": {object_name: object_json}}
std::string event_payload(std::string_view event_id, std::string_view type, Micros created_at,
                          std::string_view object_name, std::string_view object_json);

// Records the domain event as each format says it, and queues its delivery to
// every active endpoint of the merchant of that format subscribed to it: one
// stored event per event name of a format (the bytes every delivery of it
// signs and sends), one delivery per endpoint. paygate's own format is always
// recorded, numbered into the merchant's events log (and the log's listeners
// signalled); another format only when an endpoint of it subscribes.
Status emit_event(store::Connection& conn, const EventFormats& formats, const DomainEvent& e);

// Records the event in the endpoint's format and queues its delivery to that
// endpoint only (webhook.test).
Result<Delivery> emit_event_to(store::Connection& conn, const EventFormats& formats,
                               const WebhookEndpoint& endpoint, const DomainEvent& e);

// A new delivery of a stored event to one endpoint, queued now.
Result<Delivery> deliver_again(store::Connection& conn, const Event& event,
                               std::string_view webhook_id, Micros now);

// Queues a fresh delivery attempt of an existing log entry, now.
Status queue_delivery(store::Connection& conn, const Delivery& delivery, Micros now);

}  // namespace paygate
