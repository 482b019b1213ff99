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

// A payment's authentication step (test instruments that ask the shopper):
// pending while it waits (the payment stays CREATED and shows next_action),
// then approved (processing goes on) or, failing the payment, rejected by the
// shopper, failed (a wrong OTP three times) or expired (no answer in time).
inline constexpr std::string_view kAuthenticationPending = "pending";
inline constexpr std::string_view kAuthenticationApproved = "approved";
inline constexpr std::string_view kAuthenticationRejected = "rejected";
inline constexpr std::string_view kAuthenticationFailed = "failed";
inline constexpr std::string_view kAuthenticationExpired = "expired";

// The test OTP every card authentication takes, and how many wrong ones fail it.
inline constexpr std::string_view kTestOtp = "123456";
inline constexpr std::int64_t kOtpAttempts = 3;
// A payment's failure codes when its authentication step fails it: the
// shopper rejected it, entered a wrong OTP kOtpAttempts times, or did not
// answer in time.
inline constexpr std::string_view kPaymentCancelled = "PAYMENT_CANCELLED";
inline constexpr std::string_view kAuthenticationFailedCode = "AUTHENTICATION_FAILED";
inline constexpr std::string_view kPaymentTimedOut = "PAYMENT_TIMED_OUT";

// next_action.type: an OTP form for cards, an approval in the UPI app for UPI.
inline constexpr std::string_view kNextActionOtp = "otp";
inline constexpr std::string_view kNextActionUpiApprove = "upi_approve";

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
  // Test mode's X-Paygate-Test-Outcome, in its canonical text (sandbox_outcome.h).
  std::optional<std::string> test_outcome;
  // The authentication step, when its instrument asks for one: its status
  // (kAuthentication*), the hosted page's URL (with the page's token), until
  // when the shopper may answer, and the wrong OTPs so far.
  std::optional<std::string> authentication_status;
  std::optional<std::string> authentication_url;
  std::optional<Micros> authentication_expires_at;
  std::int64_t authentication_failures = 0;

  bool awaits_authentication() const { return authentication_status == kAuthenticationPending; }
  // otp (cards) or upi_approve (UPI).
  std::string_view next_action_type() const {
    return method == kMethodCard ? kNextActionOtp : kNextActionUpiApprove;
  }
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
