#include "api/health.h"

#include <spdlog/spdlog.h>

#include "core/json_writer.h"
#include "store/async.h"

namespace paygate::api {

namespace {

boost::asio::awaitable<Result<http::Reply>> health(const Services& s, const http::Request&) {
  const Status status = co_await store::health_check(s.db);
  if (!status) spdlog::warn("health check: {}", status.error().description);
  JsonWriter w(128);
  w.begin_object();
  w.field("status", status ? "healthy" : "unhealthy");
  w.field("database", status ? "connected" : "disconnected");
  w.key("timestamp").timestamp(now_micros());
  w.end_object();
  co_return http::Reply{status ? 200 : 503, w.take(), "application/json", {}};
}

}  // namespace

void add_health_routes(http::Router& router, const Services& s) {
  const Services* sp = &s;
  auto handler = [sp](const http::Request& r) { return health(*sp, r); };
  router.add(http::Method::get, "/api/v1/health", handler);
  router.add(http::Method::get, "/health", handler);
}

}  // namespace paygate::api
