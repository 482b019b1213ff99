// libFuzzer: card and VPA validation on raw text. The input is split at
// newlines into number, expiry month, expiry year and CVV; the whole input is
// also tried as a VPA.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/instrument.h"

using namespace paygate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)validate_vpa(text);
  (void)luhn_valid(text);
  (void)card_network(text);
  CardInput in;
  std::string* fields[] = {&in.number, &in.expiry_month, &in.expiry_year, &in.cvv};
  for (std::string* f : fields) {
    const auto nl = text.find('\n');
    *f = std::string(text.substr(0, nl));
    if (nl == std::string_view::npos) {
      text = {};
    } else {
      text.remove_prefix(nl + 1);
    }
  }
  if (!text.empty()) in.name = std::string(text);
  auto card = validate_card(in, YearMonth{2026, 1});
  if (card && card->digits.size() < 12) __builtin_trap();  // the rule says 12-19 digits
  return 0;
}
