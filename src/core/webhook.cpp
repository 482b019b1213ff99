#include "core/webhook.h"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <string>

namespace paygate {

bool WebhookEndpoint::subscribed_to(std::string_view type) const {
  return std::find(events.begin(), events.end(), type) != events.end();
}

bool is_valid_webhook_url(std::string_view url) {
  if (url.empty() || url.size() > kMaxWebhookUrlLength) return false;
  const std::string terminated(url);  // see Request::query_param: Boost.URL 1.81 reads to NUL
  auto parsed = boost::urls::parse_absolute_uri(terminated);
  if (!parsed) return false;
  const auto scheme = parsed->scheme_id();  // schemes are case-insensitive
  if (scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::https) return false;
  return !parsed->encoded_host().empty() && !parsed->has_userinfo();
}

}  // namespace paygate
