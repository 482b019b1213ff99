#include "api/routes.h"

#include "api/authentication.h"
#include "api/docs.h"
#include "api/events.h"
#include "api/health.h"
#include "api/metrics.h"
#include "api/openapi.h"
#include "api/orders.h"
#include "api/payments.h"
#include "api/rate_limit.h"
#include "api/razorpay/routes.h"
#include "api/refunds.h"
#include "api/stats.h"
#include "api/test_jobs.h"
#include "api/test_reset.h"
#include "api/web.h"
#include "api/webhooks.h"

namespace paygate::api {

void add_routes(http::Router& router, const Services& s) {
  add_health_routes(router, s);
  add_openapi_routes(router);
  add_order_routes(router, s);
  add_payment_routes(router, s);
  add_authentication_routes(router, s);
  add_refund_routes(router, s);
  add_webhook_routes(router, s);
  add_event_routes(router, s);
  add_stats_routes(router, s);
  add_metrics_routes(router, s);
  razorpay::add_routes(router, s);
  if (s.config.test_mode) {
    add_test_job_routes(router, s);
    add_test_reset_routes(router, s);
  }
  // Before the pages and docs: limits are for the API (see audience_of).
  add_rate_limits(router, s.config, s.api_processes);
  add_docs_routes(router, s);
  add_authentication_page(router);
  // Last: it wraps the public API routes added above with CORS, outside the
  // rate limits so that a 429 can be read by the merchant's page too.
  add_web_routes(router, s);
}

}  // namespace paygate::api
