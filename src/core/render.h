// The JSON form of the domain objects: what the API answers and what webhook
// events carry, written once.
#pragma once

#include "core/json_writer.h"
#include "core/order.h"
#include "core/payment.h"
#include "core/refund.h"

namespace paygate {

void write_order(JsonWriter& w, const Order& o);
void write_payment(JsonWriter& w, const Payment& p);
void write_refund(JsonWriter& w, const Refund& r);

}  // namespace paygate
