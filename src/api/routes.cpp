#include "api/routes.h"

#include "api/health.h"
#include "api/metrics.h"
#include "api/orders.h"
#include "api/payments.h"
#include "api/rate_limit.h"
#include "api/refunds.h"
#include "api/stats.h"
#include "api/test_jobs.h"
#include "api/webhooks.h"

namespace paygate::api {

void add_routes(http::Router& router, const Services& s) {
  add_health_routes(router, s);
  add_order_routes(router, s);
  add_payment_routes(router, s);
  add_refund_routes(router, s);
  add_webhook_routes(router, s);
  add_stats_routes(router, s);
  add_metrics_routes(router, s);
  if (s.config.test_mode) add_test_job_routes(router, s);
  add_rate_limits(router, s.config);
}

}  // namespace paygate::api
