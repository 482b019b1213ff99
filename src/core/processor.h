// The acquirer behind payments. Today a simulation, deterministic by test
// instrument; a real connector implements the same interface.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/payment.h"

namespace paygate {

struct ProcessorOutcome {
  bool success = false;
  std::string error_code;
  std::string error_description;
};

// What the shopper must do before the acquirer decides: nothing, enter the
// OTP their bank sent (cards), or approve the request in their UPI app.
enum class Authentication { none, otp, upi_approve };

// When the acquirer answers a payment it is processing.
struct ProcessorTiming {
  std::optional<Micros> delay;  // nullopt: the configured processing delay
  bool answers = true;          // false: never (the payment stays PROCESSING)
};

class Processor {
 public:
  virtual ~Processor() = default;
  // Asked once, when the payment is made.
  virtual Authentication authentication(const Payment&) const { return Authentication::none; }
  // Asked when the payment starts PROCESSING (and again when its job runs).
  virtual ProcessorTiming timing(const Payment&) const { return {}; }
  // How long a refund of the payment stays PENDING; nullopt: the configured delay.
  virtual std::optional<Micros> refund_delay(const Payment&) const { return std::nullopt; }
  // Decides a payment. Sees only what is stored: never the card number.
  virtual ProcessorOutcome authorize(const Payment& payment) const = 0;
  // Decides a refund of a captured payment.
  virtual ProcessorOutcome refund(const Payment& payment) const = 0;
};

// The keyed fingerprint of a card number: HMAC-SHA256 under the server's key.
std::string card_fingerprint(std::string_view key, std::string_view digits);

// The test instruments (docs/API.md, "Testing"), cards recognised by their
// fingerprint and VPAs by their local part:
//   VPA failure@...        -> FAILED, PAYMENT_FAILED
//   card 4000000000000002  -> FAILED, CARD_DECLINED
//   card 4000000000009995  -> FAILED, INSUFFICIENT_FUNDS
//   card 4000000000000077  -> SUCCESS, but its refunds FAILED, REFUND_FAILED
//   card 4000000000003220, VPA otp@...  -> the shopper's authentication first
//   card 4000000000000036, VPA slow@... -> SUCCESS after the slow delay
//   card 4000000000000044, VPA timeout@... -> no answer (PROCESSING_TIMEOUT)
//   card 4000000000000051, VPA gatewayerror@... -> FAILED, GATEWAY_ERROR
//   card 4000000000000069, VPA slowrefund@... -> SUCCESS, refunds PENDING
//                                                for the slow delay
//   anything else          -> SUCCESS, unless the random failure rate says otherwise
class SimulatedProcessor final : public Processor {
 public:
  // slow_delay: how long the slow instruments take.
  SimulatedProcessor(std::string_view fingerprint_key, double failure_rate,
                     Micros slow_delay = 30'000'000);
  Authentication authentication(const Payment& payment) const override;
  ProcessorTiming timing(const Payment& payment) const override;
  std::optional<Micros> refund_delay(const Payment& payment) const override;
  ProcessorOutcome authorize(const Payment& payment) const override;
  ProcessorOutcome refund(const Payment& payment) const override;

 private:
  // What one test instrument does; the defaults are an ordinary instrument's.
  struct Behaviour {
    std::optional<ProcessorOutcome> outcome;  // nullopt: success unless the failure rate says no
    Authentication authentication = Authentication::none;
    ProcessorTiming timing;
    std::optional<Micros> refund_delay;
    bool refund_fails = false;
  };
  const Behaviour* find(const Payment& p) const;

  std::map<std::string, Behaviour, std::less<>> cards_;  // by fingerprint
  std::map<std::string, Behaviour, std::less<>> vpas_;   // by local part
  double failure_rate_;
};

}  // namespace paygate
