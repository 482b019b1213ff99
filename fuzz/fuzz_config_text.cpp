// libFuzzer: the text settings an operator (or a deployment template) gives:
// DATABASE_URL above all, and the rate limit, trusted proxy, retry schedule
// and listen address syntaxes. The first byte picks the parser.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.h"
#include "config/database_url.h"
#include "config/trusted_proxies.h"
#include "core/rate_limiter.h"

using namespace paygate;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0: {
      auto url = parse_database_url(text);
      if (url) (void)url->redacted();
      break;
    }
    case 1: (void)parse_rate_limit(text); break;
    case 2: {
      auto proxies = TrustedProxies::parse(text);
      if (proxies) (void)client_address("10.0.0.1", text, *proxies);
      break;
    }
    case 3: (void)parse_retry_schedule(text); break;
    default: {
      std::string host;
      std::uint16_t port = 0;
      (void)parse_listen(text, host, port);
    }
  }
  return 0;
}
