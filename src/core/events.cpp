#include "core/events.h"

#include <algorithm>

#include "core/ids.h"
#include "core/job.h"
#include "core/json_writer.h"
#include "store/event_repository.h"
#include "store/job_repository.h"
#include "store/webhook_repository.h"

namespace paygate {

namespace {

// Retries are the deliverer's own schedule; the job's attempts only count
// crashes of the handler itself.
constexpr std::int64_t kDeliveryJobAttempts = 5;

// The id of the object an event is about: its refund's or its payment's.
Result<std::string> object_id_of(const DomainEvent& domain) {
  if (const Refund* r = domain.refund()) return r->id;
  auto p = domain.payment();
  if (!p) return fail(std::move(p.error()));
  return (*p)->id;
}

// A new event of this format for the domain event, rendered and stored; when
// `logged`, numbered into the merchant's events log (paygate's format only).
Result<Event> record_event(store::Connection& conn, const EventFormat& format,
                           std::string_view type, const DomainEvent& domain, bool logged) {
  Event e;
  if (logged) {
    auto seq = store::take_event_seq(conn, domain.merchant_id());
    if (!seq) return fail(std::move(seq.error()));
    auto object_id = object_id_of(domain);
    if (!object_id) return fail(std::move(object_id.error()));
    e.seq = *seq;
    e.object_id = std::move(*object_id);
  }
  e.id = new_id(kEventPrefix);
  e.merchant_id = std::string(domain.merchant_id());
  e.type = std::string(type);
  auto payload = format.render(e.id, type, domain);
  if (!payload) return fail(std::move(payload.error()));
  e.payload = std::move(*payload);
  e.created_at = domain.at();
  e.format = std::string(format.name());
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

Status emit_event(store::Connection& conn, const EventFormats& formats, const DomainEvent& e) {
  auto subscriptions = store::list_subscriptions(conn, e.merchant_id());
  if (!subscriptions) return fail(subscriptions.error());
  std::vector<std::string_view> endpoints;
  bool logged_any = false;
  for (const EventFormat* format : formats.all()) {
    // paygate's shape is the events log's: kept whether or not anyone
    // subscribes. Another format's is rendered only for its endpoints.
    const bool logged = format->name() == kFormatPaygate;
    for (const std::string_view type : format->events_for(e.type())) {
      endpoints.clear();
      for (const auto& s : *subscriptions) {
        if (s.format == format->name() &&
            std::find(s.events.begin(), s.events.end(), type) != s.events.end()) {
          endpoints.push_back(s.webhook_id);
        }
      }
      if (endpoints.empty() && !logged) continue;
      auto event = record_event(conn, *format, type, e, logged);
      if (!event) return fail(event.error());
      logged_any = logged_any || logged;
      for (const auto webhook_id : endpoints) {
        if (auto d = add_delivery(conn, *event, webhook_id, e.at()); !d) return fail(d.error());
      }
    }
  }
  return logged_any ? store::signal_events(conn) : Status{};
}

Result<Delivery> emit_event_to(store::Connection& conn, const EventFormats& formats,
                               const WebhookEndpoint& endpoint, const DomainEvent& e) {
  const EventFormat* format = formats.find(endpoint.format);
  if (format == nullptr) {
    return fail(
        Error::internal("webhook " + endpoint.id + " has an unknown format " + endpoint.format));
  }
  auto event = record_event(conn, *format, e.type(), e, false);
  if (!event) return fail(event.error());
  return add_delivery(conn, *event, endpoint.id, e.at());
}

Result<Delivery> deliver_again(store::Connection& conn, const Event& event,
                               std::string_view webhook_id, Micros now) {
  return add_delivery(conn, event, webhook_id, now);
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
