// X-Paygate-Test-Outcome (test mode): what a payment's acquirer answers and
// when, scripted per request in place of what its instrument would do, so
// that an integration test can play any sequence. The grammar:
//
//   outcome   = directive *( ";" directive )      whitespace around each ignored
//   directive = "success" | "failed" [ ":" CODE ] | "timeout" | "delay=" MS
//
// at most one of success / failed / timeout and at most one delay. CODE is
// 1-64 of A-Z 0-9 _ (default PAYMENT_FAILED); MS 0-3600000, the time the
// payment spends PROCESSING (instead of PAYGATE_PROCESSING_DELAY_MS). timeout:
// the acquirer never answers, so the payment stays PROCESSING until the
// reconciliation settles it FAILED, PROCESSING_TIMEOUT; it takes no delay.
// A lone delay keeps the instrument's outcome. The shopper's authentication
// step of an instrument that asks for one comes first either way.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/error.h"
#include "core/processor.h"

namespace paygate {

inline constexpr std::string_view kTestOutcomeHeader = "X-Paygate-Test-Outcome";

struct TestOutcome {
  enum class Result { instrument, success, failed, timeout };
  Result result = Result::instrument;
  std::string error_code;  // failed
  std::optional<Micros> delay;

  // The canonical text, as stored with the payment ("failed:CARD_DECLINED;delay=2000").
  std::string text() const;
};

// BAD_REQUEST_ERROR naming the header when text is not of the grammar.
Result<TestOutcome> parse_test_outcome(std::string_view text);

// The outcome the script decides (success, or failed with its code and a
// description), or nullopt when the instrument decides.
std::optional<ProcessorOutcome> scripted_outcome(const TestOutcome& t);
// When the acquirer answers, the script's delay or timeout over the instrument's.
ProcessorTiming scripted_timing(const TestOutcome& t, ProcessorTiming instrument);

}  // namespace paygate
