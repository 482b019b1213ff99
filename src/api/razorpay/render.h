// Razorpay's entities (order, payment, refund) rendered from paygate's, for
// the /v1 answers and for Razorpay-shaped webhook payloads alike.
#pragma once

#include <string_view>

#include "core/json_writer.h"
#include "core/order.h"
#include "core/payment.h"
#include "core/refund.h"

namespace paygate::api::razorpay {

// created | authorized | captured | refunded | failed
std::string_view payment_status(const Payment& p);
// pending | processed | failed
std::string_view refund_status(const Refund& r);

// Each writes one JSON object with "entity" first; times are Unix seconds.
void write_order(JsonWriter& w, const Order& o);
void write_payment(JsonWriter& w, const Payment& p);
// currency: the payment's (a refund is in its payment's currency).
void write_refund(JsonWriter& w, const Refund& r, std::string_view currency);

}  // namespace paygate::api::razorpay
