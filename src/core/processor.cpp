#include "core/processor.h"

#include <array>
#include <cstdint>

#include "core/crypto.h"

namespace paygate {

std::string card_fingerprint(std::string_view key, std::string_view digits) {
  return hmac_sha256_hex(key, digits);
}

SimulatedProcessor::SimulatedProcessor(std::string_view fingerprint_key, double failure_rate,
                                       Micros slow_delay)
    : failure_rate_(failure_rate) {
  // Each starts as an ordinary instrument and changes one thing.
  const auto fails = [](std::string code, std::string description) {
    Behaviour b;
    b.outcome = ProcessorOutcome{false, std::move(code), std::move(description)};
    return b;
  };
  const auto succeeds = [] {
    Behaviour b;
    b.outcome = ProcessorOutcome{true, {}, {}};
    return b;
  };
  const Behaviour gateway_error =
      fails("GATEWAY_ERROR", "the bank's gateway failed to process the payment");
  Behaviour authenticates_otp = succeeds();
  authenticates_otp.authentication = Authentication::otp;
  Behaviour authenticates_upi = succeeds();
  authenticates_upi.authentication = Authentication::upi_approve;
  Behaviour slow = succeeds();
  slow.timing.delay = slow_delay;
  Behaviour no_answer;
  no_answer.timing.answers = false;
  Behaviour slow_refunds = succeeds();
  slow_refunds.refund_delay = slow_delay;
  Behaviour refunds_fail;
  refunds_fail.refund_fails = true;

  const auto card = [&](std::string_view digits, Behaviour b) {
    cards_.emplace(card_fingerprint(fingerprint_key, digits), std::move(b));
  };
  card("4000000000000002", fails("CARD_DECLINED", "the card was declined by the issuer"));
  card("4000000000009995", fails("INSUFFICIENT_FUNDS", "the card has insufficient funds"));
  card("4000000000000077", refunds_fail);
  card("4000000000003220", authenticates_otp);
  card("4000000000000036", slow);
  card("4000000000000044", no_answer);
  card("4000000000000051", gateway_error);
  card("4000000000000069", slow_refunds);

  vpas_.emplace("failure", fails("PAYMENT_FAILED", "the UPI payment was declined"));
  vpas_.emplace("otp", authenticates_upi);
  vpas_.emplace("slow", slow);
  vpas_.emplace("timeout", no_answer);
  vpas_.emplace("gatewayerror", gateway_error);
  vpas_.emplace("slowrefund", slow_refunds);
}

const SimulatedProcessor::Behaviour* SimulatedProcessor::find(const Payment& p) const {
  if (p.vpa) {
    const std::string_view vpa = *p.vpa;
    const auto it = vpas_.find(vpa.substr(0, vpa.find('@')));
    return it == vpas_.end() ? nullptr : &it->second;
  }
  if (p.card_fingerprint) {
    const auto it = cards_.find(*p.card_fingerprint);
    return it == cards_.end() ? nullptr : &it->second;
  }
  return nullptr;
}

Authentication SimulatedProcessor::authentication(const Payment& p) const {
  const Behaviour* b = find(p);
  return b != nullptr ? b->authentication : Authentication::none;
}

ProcessorTiming SimulatedProcessor::timing(const Payment& p) const {
  const Behaviour* b = find(p);
  return b != nullptr ? b->timing : ProcessorTiming{};
}

std::optional<Micros> SimulatedProcessor::refund_delay(const Payment& p) const {
  const Behaviour* b = find(p);
  return b != nullptr ? b->refund_delay : std::nullopt;
}

ProcessorOutcome SimulatedProcessor::refund(const Payment& p) const {
  const Behaviour* b = find(p);
  if (b != nullptr && b->refund_fails) {
    return {false, "REFUND_FAILED", "the refund was refused by the issuer"};
  }
  return {true, {}, {}};
}

ProcessorOutcome SimulatedProcessor::authorize(const Payment& p) const {
  const Behaviour* b = find(p);
  if (b != nullptr && b->outcome) return *b->outcome;
  if (failure_rate_ > 0) {
    std::array<std::uint8_t, 4> bytes{};
    random_bytes(bytes);
    const std::uint32_t r = (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
                            (std::uint32_t{bytes[2]} << 8) | bytes[3];
    if (static_cast<double>(r) / 4294967296.0 < failure_rate_) {
      return {false, "PAYMENT_FAILED", "the payment was declined (simulated failure rate)"};
    }
  }
  return {true, {}, {}};
}

}  // namespace paygate
