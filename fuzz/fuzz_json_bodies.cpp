// libFuzzer: every JSON body parser of the API, on whatever parses as a JSON
// object, then the card and VPA rules on what the payment parser accepted
// (the path a create-payment body takes before the database).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/body.h"
#include "api/parsers.h"
#include "core/instrument.h"

using namespace paygate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto body = api::parse_json_object(text);
  if (!body) return 0;
  (void)api::parsers::new_order(*body);
  (void)api::parsers::new_refund(*body);
  (void)api::parsers::webhook_events(*body);
  (void)api::optional_string(*body, "url");
  bool flat_card = false;
  auto payment = api::parsers::new_payment(*body, flat_card);
  if (payment) {
    if (payment->vpa) (void)validate_vpa(*payment->vpa);
    if (payment->card) (void)validate_card(*payment->card, YearMonth{2026, 1});
  }
  return 0;
}
