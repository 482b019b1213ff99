// Webhook formats: the shapes one domain event takes on the wire. paygate's
// own is built in; others (Razorpay's, api/razorpay/webhook_events.h) are
// handed to the services at startup. core knows none of their shapes: a
// format says which of its events a domain event becomes, and renders them.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/order.h"
#include "core/payment.h"
#include "core/refund.h"
#include "store/database.h"

namespace paygate {

// What happened, in paygate's words (kEventPaymentSuccess, kEventRefundCreated,
// kEventWebhookTest, ...), with the objects it is about. A format that shows
// more than the event carries (the order of a captured payment, the payment of
// a refund) reads it on the state change's connection, in its transaction, at
// most once.
class DomainEvent {
 public:
  // conn: where what was not given is read from; null when everything is given.
  DomainEvent(store::Connection* conn, std::string_view type, std::string_view merchant_id,
              Micros at)
      : conn_(conn), type_(type), merchant_id_(merchant_id), at_(at) {}

  static DomainEvent of_payment(store::Connection& conn, std::string_view type, const Payment& p,
                                Micros at);
  static DomainEvent of_refund(store::Connection& conn, std::string_view type, const Refund& r,
                               Micros at);

  DomainEvent& with_payment(const Payment& p) {
    payment_ = &p;
    return *this;
  }
  DomainEvent& with_refund(const Refund& r) {
    refund_ = &r;
    return *this;
  }
  DomainEvent& with_order(const Order& o) {
    order_ = &o;
    return *this;
  }
  // Any other object (webhook.test's): its name and JSON.
  DomainEvent& with_object(std::string_view name, std::string_view json) {
    object_name_ = name;
    object_json_ = json;
    return *this;
  }

  std::string_view type() const { return type_; }
  std::string_view merchant_id() const { return merchant_id_; }
  Micros at() const { return at_; }
  const Refund* refund() const { return refund_; }
  std::string_view object_name() const { return object_name_; }
  std::string_view object_json() const { return object_json_; }

  // The payment: the event's own, or its refund's (read when first asked for).
  Result<const Payment*> payment() const;
  // The payment's order (read when first asked for).
  Result<const Order*> order() const;

 private:
  store::Connection* conn_;
  std::string_view type_;
  std::string_view merchant_id_;
  Micros at_;
  const Payment* payment_ = nullptr;
  const Refund* refund_ = nullptr;
  const Order* order_ = nullptr;
  std::string_view object_name_;
  std::string_view object_json_;
  mutable std::optional<Payment> read_payment_;
  mutable std::optional<Order> read_order_;
};

class EventFormat {
 public:
  virtual ~EventFormat() = default;
  // The endpoint's `format` that chooses it.
  virtual std::string_view name() const = 0;
  // What an endpoint of this format may subscribe to (all of them by default).
  virtual std::span<const std::string_view> events() const = 0;
  // The events of this format that the domain event `type` becomes, in the
  // order they are sent; none when the format has no such event.
  virtual std::span<const std::string_view> events_for(std::string_view type) const = 0;
  // The body of `event` (one of events_for(e.type()), or webhook.test): the
  // exact bytes stored, signed and sent on every attempt. event_id is the
  // stored event's id.
  virtual Result<std::string> render(std::string_view event_id, std::string_view event,
                                     const DomainEvent& e) const = 0;
};

// paygate's own format: the contract's events and body
// {"id", "event", "created_at", "data": {"payment"|"refund"|...: {...}}}.
const EventFormat& paygate_format();

// Every format the server speaks, paygate's first. Made once at startup and
// never changed; the formats it points to outlive it.
class EventFormats {
 public:
  explicit EventFormats(std::vector<const EventFormat*> others = {});
  // nullptr when there is no format of this name.
  const EventFormat* find(std::string_view name) const;
  std::span<const EventFormat* const> all() const { return formats_; }
  // "paygate, razorpay": for error messages.
  std::string names() const;

 private:
  std::vector<const EventFormat*> formats_;
};

}  // namespace paygate
