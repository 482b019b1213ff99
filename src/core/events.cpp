#include "core/events.h"

#include "core/ids.h"
#include "core/job.h"
#include "core/json_writer.h"
#include "store/job_repository.h"
#include "store/webhook_repository.h"

namespace paygate {

namespace {

// Retries are the deliverer's own schedule; the job's attempts only count
// crashes of the handler itself.
constexpr std::int64_t kDeliveryJobAttempts = 5;

Result<Event> record_event(store::Connection& conn, std::string_view merchant_id,
                           std::string_view type, std::string_view object_name,
                           std::string_view object_json, Micros now) {
  Event e;
  e.id = new_id(kEventPrefix);
  e.merchant_id = std::string(merchant_id);
  e.type = std::string(type);
  e.payload = event_payload(e.id, type, now, object_name, object_json);
  e.created_at = now;
  if (auto s = store::insert_event(conn, e); !s) return fail(s.error());
  return e;
}

Result<Delivery> add_delivery(store::Connection& conn, const Event& e, std::string_view webhook_id,
                              Micros now) {
  Delivery d;
  d.id = new_uuid_v4();
  d.merchant_id = e.merchant_id;
  d.webhook_id = std::string(webhook_id);
  d.event_id = e.id;
  d.event_type = e.type;
  d.status = std::string(kDeliveryPending);
  d.next_attempt_at = now;
  d.created_at = d.updated_at = now;
  if (auto s = store::insert_delivery(conn, d); !s) return fail(s.error());
  if (auto s = queue_delivery(conn, d, now); !s) return fail(s.error());
  return d;
}

}  // namespace

std::string event_payload(std::string_view event_id, std::string_view type, Micros created_at,
                          std::string_view object_name, std::string_view object_json) {
  JsonWriter w(object_json.size() + 160);
  w.begin_object();
  w.field("id", event_id);
  w.field("event", type);
  w.key("created_at").timestamp(created_at);
  w.key("data").begin_object().key(object_name).raw(object_json).end_object();
  w.end_object();
  return w.take();
}

Status emit_event(store::Connection& conn, std::string_view merchant_id, std::string_view type,
                  std::string_view object_name, FunctionRef<std::string()> render_object,
                  Micros now) {
  auto endpoints = store::list_subscribed_webhooks(conn, merchant_id, type);
  if (!endpoints) return fail(endpoints.error());
  // An event nobody listens to is not kept: it would only be written, never read.
  if (endpoints->empty()) return {};
  auto e = record_event(conn, merchant_id, type, object_name, render_object(), now);
  if (!e) return fail(e.error());
  for (const auto& webhook_id : *endpoints) {
    if (auto d = add_delivery(conn, *e, webhook_id, now); !d) return fail(d.error());
  }
  return {};
}

Result<Delivery> emit_event_to(store::Connection& conn, const WebhookEndpoint& endpoint,
                               std::string_view type, std::string_view object_name,
                               std::string_view object_json, Micros now) {
  auto e = record_event(conn, endpoint.merchant_id, type, object_name, object_json, now);
  if (!e) return fail(e.error());
  return add_delivery(conn, *e, endpoint.id, now);
}

Status queue_delivery(store::Connection& conn, const Delivery& delivery, Micros now) {
  const Job job{new_id("job_"),
                std::string(kQueueWebhooks),
                std::string(kJobDeliverWebhook),
                delivery.id,
                0,
                kDeliveryJobAttempts,
                now};
  return store::insert_job(conn, job);
}

}  // namespace paygate
