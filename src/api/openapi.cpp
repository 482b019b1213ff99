#include "api/openapi.h"

namespace paygate::api {

namespace {

boost::asio::awaitable<Result<http::Reply>> openapi(const http::Request&) {
  co_return http::Reply{200, std::string(openapi_json()), "application/json", {}};
}

}  // namespace

void add_openapi_routes(http::Router& router) {
  router.add(http::Method::get, "/api/v1/openapi.json", openapi);
}

}  // namespace paygate::api
