#include "core/event_format.h"

#include <algorithm>

#include "core/events.h"
#include "core/render.h"
#include "core/webhook.h"
#include "store/order_repository.h"
#include "store/payment_repository.h"

namespace paygate {

namespace {

class PaygateFormat final : public EventFormat {
 public:
  std::string_view name() const override { return kFormatPaygate; }
  std::span<const std::string_view> events() const override { return kSubscribableEvents; }
  // One event of the same name, for the contract's events only.
  std::span<const std::string_view> events_for(std::string_view type) const override {
    const auto* it = std::find(kSubscribableEvents.begin(), kSubscribableEvents.end(), type);
    if (it == kSubscribableEvents.end()) return {};
    return {it, 1};
  }
  Result<std::string> render(std::string_view event_id, std::string_view event,
                             const DomainEvent& e) const override {
    if (!e.object_name().empty()) {
      return event_payload(event_id, event, e.at(), e.object_name(), e.object_json());
    }
    JsonWriter w(640);
    std::string_view object_name;
    if (const Refund* r = e.refund()) {
      object_name = "refund";
      write_refund(w, *r);
    } else {
      auto p = e.payment();
      if (!p) return fail(std::move(p.error()));
      object_name = "payment";
      write_payment(w, **p);
    }
    return event_payload(event_id, event, e.at(), object_name, w.str());
  }
};

Error missing(std::string_view what, std::string_view id) {
  return Error::internal("the event's " + std::string(what) + " " + std::string(id) +
                         " was not found");
}

}  // namespace

DomainEvent DomainEvent::of_payment(store::Connection& conn, std::string_view type,
                                    const Payment& p, Micros at) {
  DomainEvent e(&conn, type, p.merchant_id, at);
  e.with_payment(p);
  return e;
}

DomainEvent DomainEvent::of_refund(store::Connection& conn, std::string_view type, const Refund& r,
                                   Micros at) {
  DomainEvent e(&conn, type, r.merchant_id, at);
  e.with_refund(r);
  return e;
}

Result<const Payment*> DomainEvent::payment() const {
  if (payment_ != nullptr) return payment_;
  if (read_payment_) return &*read_payment_;
  if (refund_ == nullptr || conn_ == nullptr) {
    return fail(Error::internal("the " + std::string(type_) + " event has no payment"));
  }
  auto found = store::find_payment(*conn_, merchant_id_, refund_->payment_id);
  if (!found) return fail(std::move(found.error()));
  if (!*found) return fail(missing("payment", refund_->payment_id));
  read_payment_ = std::move(**found);
  return &*read_payment_;
}

Result<const Order*> DomainEvent::order() const {
  if (order_ != nullptr) return order_;
  if (read_order_) return &*read_order_;
  auto p = payment();
  if (!p) return fail(std::move(p.error()));
  if (conn_ == nullptr) {
    return fail(Error::internal("the " + std::string(type_) + " event has no order"));
  }
  auto found = store::find_order(*conn_, merchant_id_, (*p)->order_id);
  if (!found) return fail(std::move(found.error()));
  if (!*found) return fail(missing("order", (*p)->order_id));
  read_order_ = std::move(**found);
  return &*read_order_;
}

const EventFormat& paygate_format() {
  static const PaygateFormat format;
  return format;
}

EventFormats::EventFormats(std::vector<const EventFormat*> others) {
  formats_.reserve(others.size() + 1);
  formats_.push_back(&paygate_format());
  for (const EventFormat* f : others) formats_.push_back(f);
}

const EventFormat* EventFormats::find(std::string_view name) const {
  for (const EventFormat* f : formats_) {
    if (f->name() == name) return f;
  }
  return nullptr;
}

std::string EventFormats::names() const {
  std::string out;
  for (const EventFormat* f : formats_) {
    if (!out.empty()) out += ", ";
    out += f->name();
  }
  return out;
}

}  // namespace paygate
