#include "api/webhooks.h"

#include "api/auth.h"
#include "api/body.h"
#include "api/idempotent.h"
#include "api/paging.h"
#include "api/parsers.h"
#include "core/json_writer.h"

namespace paygate::api {

namespace asio = boost::asio;
using http::Reply;
using http::Request;

namespace {

void write_webhook(JsonWriter& w, const WebhookEndpoint& e) {
  w.begin_object();
  w.field("id", std::string_view(e.id));
  w.field("merchant_id", std::string_view(e.merchant_id));
  w.field("url", std::string_view(e.url));
  w.field("secret", std::string_view(e.secret));
  w.key("events").begin_array();
  for (const auto& ev : e.events) w.value(std::string_view(ev));
  w.end_array();
  w.field("format", std::string_view(e.format));
  w.field("active", e.active);
  w.key("created_at").timestamp(e.created_at);
  w.key("updated_at").timestamp(e.updated_at);
  w.end_object();
}

Reply webhook_reply(int status, const WebhookEndpoint& e) {
  JsonWriter w(512);
  write_webhook(w, e);
  return Reply{status, w.take(), "application/json", {}};
}

Reply message_reply(std::string_view message, std::string_view log_id) {
  JsonWriter w(128);
  w.begin_object().field("message", message);
  if (!log_id.empty()) w.field("log_id", log_id);
  w.end_object();
  return Reply{200, w.take(), "application/json", {}};
}

// "events": ["payment.success", ...] when given.
Result<std::optional<std::vector<std::string>>> parse_events(const boost::json::object& body) {
  const auto* v = body.if_contains("events");
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_array()) {
    return fail(Error::bad_request("events must be an array of event names", "events"));
  }
  std::vector<std::string> events;
  for (const auto& e : v->get_array()) {
    if (!e.is_string()) return fail(Error::bad_request("events must be strings", "events"));
    events.emplace_back(e.get_string());
  }
  return events;
}

// The url from the JSON body, else the query, else a `url` header (as the
// document shows it).
asio::awaitable<Result<WebhookEndpoint>> create_from(const Services& s, const Merchant& m,
                                                     const Request& req,
                                                     const TxnHook<WebhookEndpoint>& hook) {
  boost::json::object body;
  if (!req.body.empty()) {
    auto parsed = parse_json_object(req.body);
    if (!parsed) co_return fail(std::move(parsed.error()));
    body = std::move(*parsed);
  }
  NewWebhook input;
  auto url = optional_string(body, "url");
  if (!url) co_return fail(std::move(url.error()));
  if (*url) {
    input.url = std::move(**url);
  } else if (auto q = req.query_param("url")) {
    input.url = std::move(*q);
  } else {
    input.url = std::string(req.header("url"));
  }
  if (input.url.empty()) co_return fail(Error::bad_request("url is required", "url"));
  auto events = parse_events(body);
  if (!events) co_return fail(std::move(events.error()));
  input.events = std::move(*events);
  auto format = optional_string(body, "format");
  if (!format) co_return fail(std::move(format.error()));
  input.format = std::move(*format);
  co_return co_await s.webhooks.create(m, std::move(input), hook);
}

asio::awaitable<Result<Reply>> create_webhook(const Services& s, const Request& req) {
  auto merchant = co_await authenticate_merchant(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  co_return co_await idempotent<WebhookEndpoint>(
      s, req, merchant->id,
      [&](const TxnHook<WebhookEndpoint>& hook) { return create_from(s, *merchant, req, hook); },
      [](const WebhookEndpoint& e) { return webhook_reply(201, e); });
}

asio::awaitable<Result<Reply>> list_webhooks(const Services& s, const Request& req) {
  auto merchant = co_await authenticate_merchant(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  auto list = co_await s.webhooks.list(*merchant);
  if (!list) co_return fail(std::move(list.error()));
  JsonWriter w(64 + list->size() * 512);
  w.begin_array();
  for (const auto& e : *list) write_webhook(w, e);
  w.end_array();
  co_return Reply{200, w.take(), "application/json", {}};
}

asio::awaitable<Result<Reply>> get_webhook(const Services& s, const Request& req) {
  auto merchant = co_await authenticate_merchant(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  auto e = co_await s.webhooks.get(*merchant, req.param(0));
  if (!e) co_return fail(std::move(e.error()));
  co_return webhook_reply(200, *e);
}

asio::awaitable<Result<Reply>> patch_webhook(const Services& s, const Request& req) {
  auto merchant = co_await authenticate_merchant(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  auto body = parse_json_object(req.body);
  if (!body) co_return fail(std::move(body.error()));
  WebhookPatch patch;
  auto url = optional_string(*body, "url");
  if (!url) co_return fail(std::move(url.error()));
  patch.url = std::move(*url);
  auto events = parse_events(*body);
  if (!events) co_return fail(std::move(events.error()));
  patch.events = std::move(*events);
  auto format = optional_string(*body, "format");
  if (!format) co_return fail(std::move(format.error()));
  patch.format = std::move(*format);
  if (const auto* a = body->if_contains("active"); a != nullptr && !a->is_null()) {
    if (!a->is_bool()) co_return fail(Error::bad_request("active must be true or false", "active"));
    patch.active = a->get_bool();
  }
  auto e = co_await s.webhooks.update(*merchant, req.param(0), std::move(patch));
  if (!e) co_return fail(std::move(e.error()));
  co_return webhook_reply(200, *e);
}

asio::awaitable<Result<Reply>> delete_webhook(const Services& s, const Request& req) {
  auto merchant = co_await authenticate_merchant(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  const std::string_view id = req.param(0);
  if (auto done = co_await s.webhooks.remove(*merchant, id); !done) {
    co_return fail(std::move(done.error()));
  }
  JsonWriter w(96);
  w.begin_object().field("id", id).field("deleted", true).end_object();
  co_return Reply{200, w.take(), "application/json", {}};
}

asio::awaitable<Result<Reply>> rotate_secret(const Services& s, const Request& req) {
  auto merchant = co_await authenticate_merchant(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  co_return co_await idempotent<WebhookEndpoint>(
      s, req, merchant->id,
      [&](const TxnHook<WebhookEndpoint>& hook) {
        return s.webhooks.rotate_secret(*merchant, req.param(0), hook);
      },
      [](const WebhookEndpoint& e) { return webhook_reply(200, e); });
}

asio::awaitable<Result<Reply>> send_test(const Services& s, const Request& req) {
  auto merchant = co_await authenticate_merchant(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  co_return co_await idempotent<Delivery>(
      s, req, merchant->id,
      [&](const TxnHook<Delivery>& hook) {
        return s.webhooks.send_test(*merchant, req.param(0), hook);
      },
      [](const Delivery& d) { return message_reply("Test webhook queued", d.id); });
}

asio::awaitable<Result<Reply>> list_logs(const Services& s, const Request& req) {
  auto merchant = co_await authenticate_merchant(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  auto window = parse_page_window(req);
  if (!window) co_return fail(std::move(window.error()));
  DeliveryPage page{*window, req.query_param("webhook_id").value_or(""),
                    req.query_param("event_type").value_or(""),
                    req.query_param("status").value_or(""),
                    req.query_param("event_id").value_or("")};
  auto list = co_await s.webhooks.list_deliveries(*merchant, std::move(page));
  if (!list) co_return fail(std::move(list.error()));
  JsonWriter w(64 + list->size() * 512);
  w.begin_array();
  for (const auto& d : *list) write_delivery(w, d, nullptr);
  w.end_array();
  co_return Reply{200, w.take(), "application/json", {}};
}

asio::awaitable<Result<Reply>> get_log(const Services& s, const Request& req) {
  auto merchant = co_await authenticate_merchant(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  auto detail = co_await s.webhooks.get_delivery(*merchant, req.param(0));
  if (!detail) co_return fail(std::move(detail.error()));
  JsonWriter w(1024);
  write_delivery(w, detail->delivery, &detail->attempts);
  co_return Reply{200, w.take(), "application/json", {}};
}

asio::awaitable<Result<Reply>> retry_log(const Services& s, const Request& req) {
  auto merchant = co_await authenticate_merchant(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  co_return co_await idempotent<Delivery>(
      s, req, merchant->id,
      [&](const TxnHook<Delivery>& hook) {
        return s.webhooks.retry_delivery(*merchant, req.param(0), hook);
      },
      [](const Delivery&) { return message_reply("Webhook retry queued", {}); });
}

}  // namespace

void write_delivery(JsonWriter& w, const Delivery& d,
                    const std::vector<DeliveryAttempt>* attempts) {
  w.begin_object();
  w.field("id", std::string_view(d.id));
  w.field("webhook_id", std::string_view(d.webhook_id));
  w.field("event_id", std::string_view(d.event_id));
  w.field("event_type", std::string_view(d.event_type));
  w.field("status", std::string_view(d.status));
  w.field("attempts", d.attempts);
  w.field("response_code", d.response_code);
  w.field("response_body", d.response_body);
  w.key("next_attempt_at");
  if (d.next_attempt_at) {
    w.timestamp(*d.next_attempt_at);
  } else {
    w.null();
  }
  w.key("created_at").timestamp(d.created_at);
  w.key("updated_at").timestamp(d.updated_at);
  if (attempts != nullptr) {
    w.key("attempt_log").begin_array();
    for (const auto& a : *attempts) {
      w.begin_object();
      w.field("number", a.number);
      w.key("attempted_at").timestamp(a.attempted_at);
      w.key("response_code");
      if (a.response_code) {
        w.value(*a.response_code);
      } else {
        w.null();
      }
      w.field("duration_ms", a.duration_ms);
      w.field("error", a.error);
      w.field("response_body", a.response_body);
      w.end_object();
    }
    w.end_array();
  }
  w.end_object();
}

void add_webhook_routes(http::Router& router, const Services& s) {
  using http::Method;
  const Services* sp = &s;
  router.add(Method::post, "/api/v1/webhooks",
             [sp](const Request& r) { return create_webhook(*sp, r); });
  router.add(Method::get, "/api/v1/webhooks",
             [sp](const Request& r) { return list_webhooks(*sp, r); });
  router.add(Method::get, "/api/v1/webhooks/{id}",
             [sp](const Request& r) { return get_webhook(*sp, r); });
  router.add(Method::patch, "/api/v1/webhooks/{id}",
             [sp](const Request& r) { return patch_webhook(*sp, r); });
  router.add(Method::del, "/api/v1/webhooks/{id}",
             [sp](const Request& r) { return delete_webhook(*sp, r); });
  router.add(Method::post, "/api/v1/webhooks/{id}/rotate-secret",
             [sp](const Request& r) { return rotate_secret(*sp, r); });
  router.add(Method::post, "/api/v1/webhooks/{id}/test",
             [sp](const Request& r) { return send_test(*sp, r); });
  router.add(Method::get, "/api/v1/webhook-logs",
             [sp](const Request& r) { return list_logs(*sp, r); });
  router.add(Method::get, "/api/v1/webhook-logs/{id}",
             [sp](const Request& r) { return get_log(*sp, r); });
  router.add(Method::post, "/api/v1/webhook-logs/{id}/retry",
             [sp](const Request& r) { return retry_log(*sp, r); });
}

// For the fuzz targets (api/parsers.h).
namespace parsers {
Result<std::optional<std::vector<std::string>>> webhook_events(const boost::json::object& body) {
  return parse_events(body);
}
}  // namespace parsers

}  // namespace paygate::api
