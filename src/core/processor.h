// The acquirer behind payments. Today a simulation, deterministic by test
// instrument; a real connector implements the same interface.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/payment.h"

namespace paygate {

struct ProcessorOutcome {
  bool success = false;
  std::string error_code;
  std::string error_description;
};

class Processor {
 public:
  virtual ~Processor() = default;
  // Decides a payment. Sees only what is stored: never the card number.
  virtual ProcessorOutcome authorize(const Payment& payment) const = 0;
  // Decides a refund of a captured payment.
  virtual ProcessorOutcome refund(const Payment& payment) const = 0;
};

// The keyed fingerprint of a card number: HMAC-SHA256 under the server's key.
std::string card_fingerprint(std::string_view key, std::string_view digits);

// The contract's test instruments, recognised by their fingerprint:
//   VPA failure@...        -> FAILED, PAYMENT_FAILED
//   card 4000000000000002  -> FAILED, CARD_DECLINED
//   card 4000000000009995  -> FAILED, INSUFFICIENT_FUNDS
//   card 4000000000000077  -> SUCCESS, but its refunds FAILED, REFUND_FAILED
//   anything else          -> SUCCESS, unless the random failure rate says otherwise
class SimulatedProcessor final : public Processor {
 public:
  SimulatedProcessor(std::string_view fingerprint_key, double failure_rate);
  ProcessorOutcome authorize(const Payment& payment) const override;
  ProcessorOutcome refund(const Payment& payment) const override;

 private:
  struct TestCard {
    std::string fingerprint;
    std::string error_code;
    std::string error_description;
  };
  std::vector<TestCard> declines_;
  std::string refund_failure_fingerprint_;
  double failure_rate_;
};

}  // namespace paygate
