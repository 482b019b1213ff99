#include "cli/forwarder.h"

#include <cstdint>

#include "cli/api.h"
#include "cli/signals.h"
#include "core/clock.h"
#include "core/webhook.h"
#include "webhooks/signing.h"

namespace paygate::cli {

bool read_event(std::string_view event_field, std::string_view data, ForwardedEvent& out) {
  const auto v = parse_json(data);
  if (!v || !v->is_object()) return false;
  const auto& o = v->as_object();
  const auto* id = o.if_contains("id");
  if (id == nullptr || !id->is_string() || id->as_string().empty()) return false;
  out.id = std::string(id->as_string());
  out.type = std::string(event_field);
  if (out.type.empty() || out.type == "message") {
    const auto* type = o.if_contains("event");
    out.type = type != nullptr && type->is_string() ? std::string(type->as_string()) : "";
  }
  out.body = std::string(data);
  return true;
}

HeaderList forward_headers(std::string_view secret, const ForwardedEvent& event,
                           std::int64_t now_seconds) {
  // The server's own signing, given an endpoint that holds our secret: the
  // receiver cannot tell a forwarded event from a delivered one.
  WebhookEndpoint endpoint;
  endpoint.secret = std::string(secret);
  Event e;
  e.id = event.id;
  e.type = event.type;
  e.payload = event.body;
  e.format = std::string(kFormatPaygate);
  HeaderList out;
  for (auto& [k, v] : webhooks::delivery_headers(endpoint, e, now_seconds * 1'000'000)) {
    out.emplace_back(std::move(k), std::move(v));
  }
  return out;
}

HttpResponse forward(HttpClient& http, const std::string& url, std::string_view secret,
                     const ForwardedEvent& event, std::chrono::milliseconds timeout) {
  HttpRequest request;
  request.method = "POST";
  request.url = url;
  request.headers = forward_headers(secret, event, now_micros() / 1'000'000);
  request.body = event.body;
  request.timeout = timeout;
  request.connect_timeout = std::min(timeout, std::chrono::milliseconds(5000));
  return http.send(request, [] { return stop_requests() > 1; });
}

}  // namespace paygate::cli
