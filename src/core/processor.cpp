#include "core/processor.h"

#include <array>
#include <cstdint>

#include "core/crypto.h"

namespace paygate {

std::string card_fingerprint(std::string_view key, std::string_view digits) {
  return hmac_sha256_hex(key, digits);
}

SimulatedProcessor::SimulatedProcessor(std::string_view fingerprint_key, double failure_rate)
    : failure_rate_(failure_rate) {
  declines_.push_back({card_fingerprint(fingerprint_key, "4000000000000002"), "CARD_DECLINED",
                       "the card was declined by the issuer"});
  declines_.push_back({card_fingerprint(fingerprint_key, "4000000000009995"),
                       "INSUFFICIENT_FUNDS", "the card has insufficient funds"});
  refund_failure_fingerprint_ = card_fingerprint(fingerprint_key, "4000000000000077");
}

ProcessorOutcome SimulatedProcessor::refund(const Payment& p) const {
  if (p.card_fingerprint && *p.card_fingerprint == refund_failure_fingerprint_) {
    return {false, "REFUND_FAILED", "the refund was refused by the issuer"};
  }
  return {true, {}, {}};
}

ProcessorOutcome SimulatedProcessor::authorize(const Payment& p) const {
  if (p.vpa && p.vpa->starts_with("failure@")) {
    return {false, "PAYMENT_FAILED", "the UPI payment was declined"};
  }
  if (p.card_fingerprint) {
    for (const auto& d : declines_) {
      if (d.fingerprint == *p.card_fingerprint) return {false, d.error_code, d.error_description};
    }
  }
  if (failure_rate_ > 0) {
    std::array<std::uint8_t, 4> b{};
    random_bytes(b);
    const std::uint32_t r = (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) |
                            (std::uint32_t{b[2]} << 8) | b[3];
    if (static_cast<double>(r) / 4294967296.0 < failure_rate_) {
      return {false, "PAYMENT_FAILED", "the payment was declined (simulated failure rate)"};
    }
  }
  return {true, {}, {}};
}

}  // namespace paygate
