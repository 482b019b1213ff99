// The payment: one attempt to pay an order with one instrument.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/paging.h"

namespace paygate {

// Upper case, exactly as the contract's document shows them.
inline constexpr std::string_view kPaymentCreated = "CREATED";
inline constexpr std::string_view kPaymentProcessing = "PROCESSING";
inline constexpr std::string_view kPaymentSuccess = "SUCCESS";
inline constexpr std::string_view kPaymentFailed = "FAILED";

inline constexpr std::string_view kMethodCard = "card";
inline constexpr std::string_view kMethodUpi = "upi";

struct Payment {
  std::string id;
  std::string order_id;
  std::string merchant_id;
  std::int64_t amount = 0;
  std::string currency;
  std::string method;
  std::string status;
  bool captured = false;
  // Capture as soon as processing succeeds: public (checkout) payments, and a
  // capture asked for while the payment was still being processed.
  bool capture_requested = false;
  std::optional<std::string> error_code;
  std::optional<std::string> error_description;
  std::optional<std::string> vpa;
  std::optional<std::string> card_network;
  std::optional<std::string> card_last4;
  std::optional<std::int64_t> card_expiry_month;
  std::optional<std::int64_t> card_expiry_year;
  std::optional<std::string> card_fingerprint;  // HMAC-SHA256 of the number under a server key
  std::string notes_json = "{}";                // a JSON object with string values, as stored
  std::int64_t amount_refunded = 0;             // the sum of PROCESSED refunds
  std::int64_t version = 1;                     // bumped by every change
  std::optional<Micros> processing_started_at;
  std::optional<Micros> finished_at;
  Micros created_at = 0;
  Micros updated_at = 0;
};

inline bool is_final_payment_status(std::string_view s) {
  return s == kPaymentSuccess || s == kPaymentFailed;
}

struct PaymentPage {
  PageWindow window;
  std::string order_id;  // "" for any
  std::string status;    // "" for any
  std::string method;    // "" for any, else "card" or "upi"
};

}  // namespace paygate
