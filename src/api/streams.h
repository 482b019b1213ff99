// The bodies of the live streams, as Server-Sent Events: the events log from
// a point on, and the merchant's requests as they finish.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/event_hub.h"
#include "core/event_log.h"
#include "http/request.h"
#include "http/request_log.h"

namespace paygate::api {

// Appends one SSE message: "id: <id>\n" (when given), "event: <event>\n",
// "data: <data>\n" and a blank line. data is one line (JSON as paygate writes it).
void append_sse_message(std::string& out, std::optional<std::int64_t> id, std::string_view event,
                        std::string_view data);

struct EventStream {
  EventLogService& log;
  std::string merchant_id;
  std::vector<std::string> types;  // empty: every type
  std::int64_t after = 0;          // the number of the last event the client has
  std::chrono::milliseconds heartbeat;
};

// slot: the stream's place under the stream limits, held while it runs.
http::Reply event_stream_reply(EventStream stream,
                               std::shared_ptr<EventHub::Subscription> subscription,
                               std::shared_ptr<void> slot);
http::Reply request_stream_reply(std::shared_ptr<http::RequestLog::Reader> reader,
                                 std::chrono::milliseconds heartbeat, std::shared_ptr<void> slot);

}  // namespace paygate::api
