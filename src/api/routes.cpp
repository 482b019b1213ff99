#include "api/routes.h"

#include "api/health.h"
#include "api/orders.h"

namespace paygate::api {

void add_routes(http::Router& router, const Services& s) {
  add_health_routes(router, s);
  add_order_routes(router, s);
}

}  // namespace paygate::api
