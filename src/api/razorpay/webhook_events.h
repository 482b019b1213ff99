// Razorpay's webhook events: the "razorpay" format an endpoint may choose
// (core/event_format.h). Each is rendered from paygate's domain event when it
// happens, with the entities of render.h:
//   {"entity": "event", "account_id": "acc_…", "event": "payment.captured",
//    "contains": ["payment"], "payload": {"payment": {"entity": {…}}},
//    "created_at": <Unix seconds>}
#pragma once

#include <string>

#include "core/event_format.h"

namespace paygate::api::razorpay {

class WebhookEvents final : public EventFormat {
 public:
  std::string_view name() const override;
  // payment.authorized, payment.captured, payment.failed, order.paid,
  // refund.created, refund.processed, refund.failed.
  std::span<const std::string_view> events() const override;
  // payment.success -> payment.authorized; payment.captured -> payment.captured
  // and order.paid; the others by the same name.
  std::span<const std::string_view> events_for(std::string_view type) const override;
  Result<std::string> render(std::string_view event_id, std::string_view event,
                             const DomainEvent& e) const override;
};

// The merchant as Razorpay names an account: "acc_" and the id without its
// "mrc_" prefix.
std::string account_id(std::string_view merchant_id);

}  // namespace paygate::api::razorpay
