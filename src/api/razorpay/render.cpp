#include "api/razorpay/render.h"

#include <string>

#include "core/ids.h"

namespace paygate::api::razorpay {

namespace {

// Razorpay answers an empty notes object as an empty array.
void write_notes(JsonWriter& w, std::string_view notes_json) {
  w.key("notes").raw(notes_json.empty() || notes_json == "{}" ? std::string_view("[]")
                                                              : notes_json);
}

void null_field(JsonWriter& w, std::string_view k) {
  w.key(k).null();
}

// Razorpay names networks for display ("Visa", "MasterCard", ...).
std::string_view network_name(std::string_view network) {
  if (network == "visa") return "Visa";
  if (network == "mastercard") return "MasterCard";
  if (network == "amex") return "American Express";
  if (network == "diners") return "Diners Club";
  if (network == "rupay") return "RuPay";
  if (network == "discover") return "Discover";
  return "Unknown";
}

}  // namespace

std::string razorpay_refund_id(std::string_view id) {
  if (!id.starts_with(kRefundPrefix)) return std::string(id);
  return std::string(kRazorpayRefundPrefix).append(id.substr(kRefundPrefix.size()));
}

std::string paygate_refund_id(std::string_view id) {
  if (!id.starts_with(kRazorpayRefundPrefix)) return std::string(id);
  return std::string(kRefundPrefix).append(id.substr(kRazorpayRefundPrefix.size()));
}

PaymentFailure payment_failure(const Payment& p) {
  constexpr std::string_view kStep = "payment_authorization";
  // The shopper's authentication step (test instruments that ask for one).
  constexpr std::string_view kAuthentication = "payment_authentication";
  const std::string_view code = p.error_code ? std::string_view(*p.error_code) : "";
  if (code == kPaymentCancelled) {
    return {"BAD_REQUEST_ERROR", "customer", kAuthentication, "payment_cancelled"};
  }
  if (code == kAuthenticationFailedCode) {
    return {"BAD_REQUEST_ERROR", "customer", kAuthentication, "authentication_failed"};
  }
  if (code == kPaymentTimedOut) {
    return {"BAD_REQUEST_ERROR", "customer", kAuthentication, "payment_timed_out"};
  }
  if (code == "GATEWAY_ERROR")
    return {"GATEWAY_ERROR", "gateway", kStep, "gateway_technical_error"};
  if (code == "CARD_DECLINED") return {"BAD_REQUEST_ERROR", "bank", kStep, "card_declined"};
  if (code == "INSUFFICIENT_FUNDS") {
    return {"BAD_REQUEST_ERROR", "bank", kStep, "insufficient_funds"};
  }
  if (code == "PAYMENT_FAILED") return {"BAD_REQUEST_ERROR", "customer", kStep, "payment_failed"};
  if (code == "ORDER_ALREADY_PAID") {
    return {"BAD_REQUEST_ERROR", "business", kStep, "order_already_paid"};
  }
  if (code == "PROCESSING_TIMEOUT") return {"GATEWAY_ERROR", "gateway", kStep, "payment_timed_out"};
  return {"GATEWAY_ERROR", "gateway", kStep, "payment_failed"};
}

std::string_view payment_status(const Payment& p) {
  if (p.status == kPaymentFailed) return "failed";
  if (p.status != kPaymentSuccess) return "created";
  if (!p.captured) return "authorized";
  return p.amount_refunded >= p.amount ? "refunded" : "captured";
}

std::string_view refund_status(const Refund& r) {
  if (r.status == kRefundProcessed) return "processed";
  if (r.status == kRefundFailed) return "failed";
  return "pending";
}

void write_order(JsonWriter& w, const Order& o) {
  const bool paid = o.status == kOrderPaid;
  w.begin_object();
  w.field("id", std::string_view(o.id));
  w.field("entity", "order");
  w.field("amount", o.amount);
  w.field("amount_paid", paid ? o.amount : std::int64_t{0});
  w.field("amount_due", paid ? std::int64_t{0} : o.amount);
  w.field("currency", std::string_view(o.currency));
  w.field("receipt", o.receipt);
  null_field(w, "offer_id");
  w.field("status", std::string_view(o.status));
  w.field("attempts", o.attempts);
  write_notes(w, o.notes_json);
  w.field("created_at", unix_seconds(o.created_at));
  w.end_object();
}

void write_payment(JsonWriter& w, const Payment& p) {
  w.begin_object();
  w.field("id", std::string_view(p.id));
  w.field("entity", "payment");
  w.field("amount", p.amount);
  w.field("currency", std::string_view(p.currency));
  w.field("status", payment_status(p));
  w.field("order_id", std::string_view(p.order_id));
  null_field(w, "invoice_id");
  w.field("international", false);
  w.field("method", std::string_view(p.method));
  w.field("amount_refunded", p.amount_refunded);
  if (const auto rs = paygate::refund_status(p.amount_refunded, p.amount)) {
    w.field("refund_status", *rs);
  } else {
    null_field(w, "refund_status");
  }
  w.field("captured", p.captured);
  null_field(w, "description");
  null_field(w, "card_id");
  if (p.method == kMethodCard) {
    w.key("card").begin_object();
    null_field(w, "id");
    w.field("entity", "card");
    w.field("name", "");
    w.field("last4", p.card_last4);
    w.field("network", network_name(p.card_network.value_or("")));
    w.field("type", "credit");
    null_field(w, "issuer");
    w.field("international", false);
    w.field("emi", false);
    w.field("sub_type", "consumer");
    if (p.card_expiry_month && p.card_expiry_year) {
      w.field("expiry_month", *p.card_expiry_month);
      w.field("expiry_year", *p.card_expiry_year);
    }
    w.end_object();
  }
  null_field(w, "bank");
  null_field(w, "wallet");
  w.field("vpa", p.method == kMethodUpi ? p.vpa : std::nullopt);
  null_field(w, "email");
  null_field(w, "contact");
  write_notes(w, p.notes_json);
  // No fees are charged: zero once captured, as Razorpay shows them then.
  if (p.captured) {
    w.field("fee", std::int64_t{0});
    w.field("tax", std::int64_t{0});
  } else {
    null_field(w, "fee");
    null_field(w, "tax");
  }
  if (p.status == kPaymentFailed) {
    const PaymentFailure failure = payment_failure(p);
    w.field("error_code", failure.code);
    w.field("error_description", p.error_description);
    w.field("error_source", failure.source);
    w.field("error_step", failure.step);
    w.field("error_reason", failure.reason);
  } else {
    for (const auto* k :
         {"error_code", "error_description", "error_source", "error_step", "error_reason"}) {
      null_field(w, k);
    }
  }
  w.key("acquirer_data").begin_object().end_object();
  w.field("created_at", unix_seconds(p.created_at));
  // A payment waiting for its shopper's authentication stays "created" and,
  // as Razorpay's payment creation answers, says where to send the shopper.
  if (p.awaits_authentication() && p.authentication_url) {
    w.key("next").begin_array();
    w.begin_object()
        .field("action", "redirect")
        .field("url", std::string_view(*p.authentication_url))
        .end_object();
    w.end_array();
  }
  w.end_object();
}

void write_refund(JsonWriter& w, const Refund& r, std::string_view currency) {
  w.begin_object();
  w.field("id", razorpay_refund_id(r.id));
  w.field("entity", "refund");
  w.field("amount", r.amount);
  w.field("currency", currency);
  w.field("payment_id", std::string_view(r.payment_id));
  write_notes(w, r.notes_json);
  null_field(w, "receipt");
  w.key("acquirer_data").begin_object();
  null_field(w, "arn");
  w.end_object();
  w.field("created_at", unix_seconds(r.created_at));
  null_field(w, "batch_id");
  w.field("status", refund_status(r));
  w.field("speed_processed", "normal");
  w.field("speed_requested", "normal");
  w.end_object();
}

}  // namespace paygate::api::razorpay
