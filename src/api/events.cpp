#include "api/events.h"

#include <algorithm>
#include <charconv>

#include "api/auth.h"
#include "api/body.h"
#include "api/idempotent.h"
#include "api/paging.h"
#include "api/streams.h"
#include "api/webhooks.h"
#include "core/json_writer.h"

namespace paygate::api {

namespace asio = boost::asio;
using http::Method;
using http::Reply;
using http::Request;

namespace {

bool is_event_type(std::string_view type) {
  return std::find(kSubscribableEvents.begin(), kSubscribableEvents.end(), type) !=
         kSubscribableEvents.end();
}

Error unknown_type(std::string_view field) {
  std::string names;
  for (const auto t : kSubscribableEvents) names += (names.empty() ? "" : ", ") + std::string(t);
  return Error::bad_request(std::string(field) + " must be one of " + names, std::string(field));
}

// An event as the API shows it: the exact body its webhooks carry.
void write_event_list(JsonWriter& w, const std::vector<Event>& events) {
  w.begin_object();
  w.field("entity", "collection");
  w.field("count", static_cast<std::int64_t>(events.size()));
  w.key("items").begin_array();
  for (const auto& e : events) w.raw(e.payload);
  w.end_array();
  w.end_object();
}

asio::awaitable<Result<Reply>> list_events(const Services& s, const Request& req) {
  auto merchant = co_await authenticate_merchant(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  auto window = parse_page_window(req);
  if (!window) co_return fail(std::move(window.error()));
  store::EventQuery query{*window, req.query_param("type").value_or(""),
                          req.query_param("object_id").value_or("")};
  if (!query.type.empty() && !is_event_type(query.type)) co_return fail(unknown_type("type"));
  auto events = co_await s.events.list(*merchant, std::move(query));
  if (!events) co_return fail(std::move(events.error()));
  std::size_t size = 64;
  for (const auto& e : *events) size += e.payload.size() + 1;
  JsonWriter w(size);
  write_event_list(w, *events);
  co_return Reply{200, w.take(), "application/json", {}};
}

asio::awaitable<Result<Reply>> get_event(const Services& s, const Request& req) {
  auto merchant = co_await authenticate_merchant(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  auto event = co_await s.events.get(*merchant, req.param(0));
  if (!event) co_return fail(std::move(event.error()));
  co_return Reply{200, std::move(event->payload), "application/json", {}};
}

asio::awaitable<Result<Reply>> resend_event(const Services& s, const Request& req) {
  auto merchant = co_await authenticate_merchant(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  std::string webhook_id;
  if (!req.body.empty()) {
    auto body = parse_json_object(req.body);
    if (!body) co_return fail(std::move(body.error()));
    auto given = optional_string(*body, "webhook_id");
    if (!given) co_return fail(std::move(given.error()));
    webhook_id = given->value_or("");
  }
  co_return co_await idempotent<std::vector<Delivery>>(
      s, req, merchant->id,
      [&](const TxnHook<std::vector<Delivery>>& hook) {
        return s.events.resend(*merchant, req.param(0), webhook_id, hook);
      },
      [](const std::vector<Delivery>& made) {
        JsonWriter w(64 + made.size() * 400);
        w.begin_object();
        w.field("entity", "collection");
        w.field("count", static_cast<std::int64_t>(made.size()));
        w.key("items").begin_array();
        for (const auto& d : made) write_delivery(w, d, nullptr);
        w.end_array();
        w.end_object();
        return Reply{201, w.take(), "application/json", {}};
      });
}

// Last-Event-ID (header, or last_event_id for clients that cannot set one):
// the number of the last event the client has.
Result<std::optional<std::int64_t>> last_event_id(const Request& req) {
  std::optional<std::string> text;
  if (auto h = req.find_header("Last-Event-ID"); h && !h->empty()) {
    text = std::string(*h);
  } else {
    text = req.query_param("last_event_id");
  }
  if (!text) return std::optional<std::int64_t>{};
  std::int64_t seq = -1;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), seq);
  if (ec != std::errc{} || end != text->data() + text->size() || seq < 0) {
    return fail(Error::bad_request(
        "Last-Event-ID must be the id of an event this stream sent (a whole number)",
        "last_event_id"));
  }
  return std::optional<std::int64_t>(seq);
}

Result<std::vector<std::string>> stream_types(const Request& req) {
  std::vector<std::string> types;
  const auto text = req.query_param("types");
  if (!text) return types;
  std::string_view rest = *text;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string_view type = rest.substr(0, comma);
    if (!is_event_type(type)) return fail(unknown_type("types"));
    types.emplace_back(type);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return types;
}

asio::awaitable<Result<Reply>> stream_events(const Services& s, const Request& req) {
  auto merchant = co_await authenticate_merchant(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  auto resume = last_event_id(req);
  if (!resume) co_return fail(std::move(resume.error()));
  auto types = stream_types(req);
  if (!types) co_return fail(std::move(types.error()));
  auto slot = s.streams.acquire(merchant->id);
  if (!slot) co_return fail(std::move(slot.error()));
  // Subscribed before the starting point is read: an event committed after
  // that read wakes the stream.
  auto subscription = s.event_hub.subscribe(merchant->id);
  std::int64_t start = 0;
  if (*resume) {
    start = **resume;
  } else {
    auto latest = co_await s.events.latest(merchant->id);
    if (!latest) co_return fail(std::move(latest.error()));
    start = *latest;
  }
  co_return event_stream_reply(EventStream{s.events, merchant->id, std::move(*types), start,
                                           std::chrono::milliseconds(s.config.stream_heartbeat_ms)},
                               std::move(subscription), std::move(*slot));
}

asio::awaitable<Result<Reply>> stream_requests(const Services& s, const Request& req) {
  auto merchant = co_await authenticate_merchant(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  auto slot = s.streams.acquire(merchant->id);
  if (!slot) co_return fail(std::move(slot.error()));
  co_return request_stream_reply(s.request_log.open(merchant->id),
                                 std::chrono::milliseconds(s.config.stream_heartbeat_ms),
                                 std::move(*slot));
}

}  // namespace

void add_event_routes(http::Router& router, const Services& s) {
  const Services* sp = &s;
  router.add(Method::get, "/api/v1/events", [sp](const Request& r) { return list_events(*sp, r); });
  router.add(Method::get, "/api/v1/events/stream",
             [sp](const Request& r) { return stream_events(*sp, r); });
  router.add(Method::get, "/api/v1/events/{id}",
             [sp](const Request& r) { return get_event(*sp, r); });
  router.add(Method::post, "/api/v1/events/{id}/resend",
             [sp](const Request& r) { return resend_event(*sp, r); });
  router.add(Method::get, "/api/v1/requests/stream",
             [sp](const Request& r) { return stream_requests(*sp, r); });
}

}  // namespace paygate::api
