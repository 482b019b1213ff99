#include "core/render.h"

namespace paygate {

void write_order(JsonWriter& w, const Order& o) {
  w.begin_object();
  w.field("id", std::string_view(o.id));
  w.field("merchant_id", std::string_view(o.merchant_id));
  w.field("amount", o.amount);
  w.field("currency", std::string_view(o.currency));
  w.field("status", std::string_view(o.status));
  w.field("receipt", o.receipt);
  w.key("notes").raw(o.notes_json);
  w.key("created_at").timestamp(o.created_at);
  w.key("updated_at").timestamp(o.updated_at);
  w.end_object();
}

void write_payment(JsonWriter& w, const Payment& p) {
  w.begin_object();
  w.field("id", std::string_view(p.id));
  w.field("order_id", std::string_view(p.order_id));
  w.field("merchant_id", std::string_view(p.merchant_id));
  w.field("amount", p.amount);
  w.field("currency", std::string_view(p.currency));
  w.field("method", std::string_view(p.method));
  w.field("status", std::string_view(p.status));
  w.field("captured", p.captured);
  w.field("error_code", p.error_code);
  w.field("error_description", p.error_description);
  if (p.method == kMethodUpi) w.field("vpa", p.vpa);
  if (p.method == kMethodCard) {
    w.field("card_network", p.card_network);
    w.field("card_last4", p.card_last4);
  }
  // Only while the payment waits for its shopper (still CREATED): what to do
  // and where. A read by payment id alone (the checkout's) shows no url.
  if (p.awaits_authentication()) {
    w.key("next_action").begin_object();
    w.field("type", p.next_action_type());
    if (p.authentication_url) w.field("url", std::string_view(*p.authentication_url));
    if (p.authentication_expires_at) w.key("expires_at").timestamp(*p.authentication_expires_at);
    w.end_object();
  }
  w.field("amount_refunded", p.amount_refunded);
  w.field("version", p.version);
  if (const auto rs = refund_status(p.amount_refunded, p.amount)) {
    w.field("refund_status", *rs);
  } else {
    w.key("refund_status").null();
  }
  w.key("created_at").timestamp(p.created_at);
  w.key("updated_at").timestamp(p.updated_at);
  w.end_object();
}

void write_refund(JsonWriter& w, const Refund& r) {
  w.begin_object();
  w.field("id", std::string_view(r.id));
  w.field("payment_id", std::string_view(r.payment_id));
  w.field("merchant_id", std::string_view(r.merchant_id));
  w.field("amount", r.amount);
  w.field("status", std::string_view(r.status));
  w.field("reason", r.reason);
  w.field("error_code", r.error_code);
  w.field("error_description", r.error_description);
  w.field("version", r.version);
  w.key("created_at").timestamp(r.created_at);
  w.key("updated_at").timestamp(r.updated_at);
  w.end_object();
}

}  // namespace paygate
