#include "core/sandbox_outcome.h"

#include <charconv>

namespace paygate {

namespace {

constexpr Micros kMaxDelayMs = 3'600'000;

Error bad_outcome(std::string why) {
  return Error::bad_request(std::string(kTestOutcomeHeader) + " " + why +
                                " (success | failed[:CODE] | timeout, and/or delay=MS, "
                                "separated by ';')",
                            std::string(kTestOutcomeHeader));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_code(std::string_view code) {
  if (code.empty() || code.size() > 64) return false;
  for (char c : code) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

// What a scripted failure code says, for the codes paygate itself uses.
std::string description_of(std::string_view code) {
  struct Known {
    std::string_view code;
    std::string_view description;
  };
  static constexpr Known kKnown[] = {
      {"PAYMENT_FAILED", "the payment was declined"},
      {"CARD_DECLINED", "the card was declined by the issuer"},
      {"INSUFFICIENT_FUNDS", "the card has insufficient funds"},
      {"GATEWAY_ERROR", "the bank's gateway failed to process the payment"},
  };
  for (const auto& k : kKnown) {
    if (k.code == code) return std::string(k.description);
  }
  return "the payment failed (" + std::string(kTestOutcomeHeader) + ")";
}

}  // namespace

std::string TestOutcome::text() const {
  std::string out;
  switch (result) {
    case Result::instrument:
      break;
    case Result::success:
      out = "success";
      break;
    case Result::failed:
      out = "failed:" + error_code;
      break;
    case Result::timeout:
      out = "timeout";
      break;
  }
  if (delay) {
    if (!out.empty()) out += ";";
    out += "delay=" + std::to_string(*delay / 1000);
  }
  return out;
}

Result<TestOutcome> parse_test_outcome(std::string_view text) {
  if (text.size() > 256) return fail(bad_outcome("is too long"));
  TestOutcome t;
  bool decided = false;
  while (true) {
    const auto semi = text.find(';');
    const std::string_view d = trim(text.substr(0, semi));
    if (d.starts_with("delay=")) {
      if (t.delay) return fail(bad_outcome("has two delays"));
      const std::string_view ms = d.substr(6);
      Micros value = -1;
      const auto [end, ec] = std::from_chars(ms.data(), ms.data() + ms.size(), value);
      if (ms.empty() || ec != std::errc() || end != ms.data() + ms.size() || value < 0 ||
          value > kMaxDelayMs) {
        return fail(bad_outcome("delay must be milliseconds from 0 to 3600000"));
      }
      t.delay = value * 1000;
    } else if (d == "success" || d == "timeout" || d == "failed" || d.starts_with("failed:")) {
      if (decided) return fail(bad_outcome("has two outcomes"));
      decided = true;
      if (d == "success") {
        t.result = TestOutcome::Result::success;
      } else if (d == "timeout") {
        t.result = TestOutcome::Result::timeout;
      } else {
        t.result = TestOutcome::Result::failed;
        t.error_code = d == "failed" ? "PAYMENT_FAILED" : std::string(d.substr(7));
        if (!is_code(t.error_code)) {
          return fail(bad_outcome("failed:CODE needs a CODE of 1-64 of A-Z 0-9 _"));
        }
      }
    } else {
      return fail(bad_outcome(d.empty() ? "has an empty directive"
                                        : "has an unknown directive '" +
                                              std::string(d.substr(0, 32)) + "'"));
    }
    if (semi == std::string_view::npos) break;
    text.remove_prefix(semi + 1);
  }
  if (t.result == TestOutcome::Result::timeout && t.delay) {
    return fail(bad_outcome("timeout takes no delay: the acquirer never answers"));
  }
  return t;
}

std::optional<ProcessorOutcome> scripted_outcome(const TestOutcome& t) {
  if (t.result == TestOutcome::Result::success) return ProcessorOutcome{true, {}, {}};
  if (t.result == TestOutcome::Result::failed) {
    return ProcessorOutcome{false, t.error_code, description_of(t.error_code)};
  }
  return std::nullopt;
}

ProcessorTiming scripted_timing(const TestOutcome& t, ProcessorTiming instrument) {
  if (t.result == TestOutcome::Result::timeout) return {std::nullopt, false};
  if (t.delay) return {t.delay, true};
  // A scripted answer comes from an acquirer that answers, whatever the instrument.
  if (t.result != TestOutcome::Result::instrument) instrument.answers = true;
  return instrument;
}

}  // namespace paygate
