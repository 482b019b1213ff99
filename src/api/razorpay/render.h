// Razorpay's entities (order, payment, refund) rendered from paygate's, for
// the /v1 answers and for Razorpay-shaped webhook payloads alike.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/json_writer.h"
#include "core/order.h"
#include "core/payment.h"
#include "core/refund.h"
#include "http/request.h"

namespace paygate::api::razorpay {

// Razorpay's refund ids are rfnd_…: paygate's refund_… with the same suffix.
// Both are accepted wherever /v1 takes a refund id.
inline constexpr std::string_view kRazorpayRefundPrefix = "rfnd_";
std::string razorpay_refund_id(std::string_view id);
std::string paygate_refund_id(std::string_view id);

// Razorpay's times: Unix seconds.
inline std::int64_t unix_seconds(Micros t) {
  return t / 1'000'000;
}

// A failed payment's error in Razorpay's words, from paygate's failure code:
// what the payment entity shows and what Checkout gives payment.failed.
struct PaymentFailure {
  std::string_view code;    // BAD_REQUEST_ERROR | GATEWAY_ERROR
  std::string_view source;  // customer | bank | business | gateway
  std::string_view step;    // payment_authorization | payment_authentication
  std::string_view reason;
};
PaymentFailure payment_failure(const Payment& p);

// created | authorized | captured | refunded | failed
std::string_view payment_status(const Payment& p);
// pending | processed | failed
std::string_view refund_status(const Refund& r);

// Each writes one JSON object with "entity" first; times are Unix seconds.
void write_order(JsonWriter& w, const Order& o);
void write_payment(JsonWriter& w, const Payment& p);
// currency: the payment's (a refund is in its payment's currency).
void write_refund(JsonWriter& w, const Refund& r, std::string_view currency);

// One entity as an answer (Razorpay answers creates with 200 too).
template <class T, class Write>
http::Reply entity_reply(const T& item, Write write) {
  JsonWriter w(768);
  write(w, item);
  return http::Reply{200, w.take(), "application/json", {}};
}

// {"entity": "collection", "count": n, "items": [...]}.
template <class T, class Write>
http::Reply collection_reply(const std::vector<T>& items, Write write) {
  JsonWriter w(64 + items.size() * 768);
  w.begin_object();
  w.field("entity", "collection");
  w.field("count", static_cast<std::int64_t>(items.size()));
  w.key("items").begin_array();
  for (const auto& item : items) write(w, item);
  w.end_array().end_object();
  return http::Reply{200, w.take(), "application/json", {}};
}

inline void write_refund_entity(JsonWriter& w, const Refund& r) {
  write_refund(w, r, r.currency);
}

}  // namespace paygate::api::razorpay
