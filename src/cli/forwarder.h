// One event forwarded to the developer's receiver, signed exactly as paygate
// signs a webhook delivery (webhooks/signing.h, paygate's format) with the
// local signing secret.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "cli/http_client.h"

namespace paygate::cli {

struct ForwardedEvent {
  std::string seq;   // the stream's id for it ("" when it had none)
  std::string type;  // e.g. payment.success
  std::string id;    // evt_...
  std::string body;  // the event's JSON, the exact bytes signed and sent
};

// The event's id and type from the stream message's data (the Event JSON)
// and its event field; false when data is not an event object.
bool read_event(std::string_view event_field, std::string_view data, ForwardedEvent& out);

// The headers of one attempt (Content-Type and both signature schemes) at
// unix time `now_seconds`.
HeaderList forward_headers(std::string_view secret, const ForwardedEvent& event,
                           std::int64_t now_seconds);

// POSTs the event to url; the receiver's answer (status 0: it could not be
// reached). A first SIGINT/SIGTERM lets it finish (so the cursor is saved
// for what the receiver got); a second cuts it short.
HttpResponse forward(HttpClient& http, const std::string& url, std::string_view secret,
                     const ForwardedEvent& event, std::chrono::milliseconds timeout);

}  // namespace paygate::cli
