#include "http/cors.h"

#include <spdlog/spdlog.h>

#include <memory>

namespace paygate::http {

namespace {

void add_cors_headers(Reply& reply) {
  reply.headers.emplace_back("Access-Control-Allow-Origin", "*");
  reply.headers.emplace_back("Access-Control-Expose-Headers",
                             "X-Request-Id, Idempotent-Replayed, Retry-After");
}

boost::asio::awaitable<Result<Reply>> call_with_cors(std::shared_ptr<const Handler> inner,
                                                     const Request& request) {
  Result<Reply> result = co_await (*inner)(request);
  Reply reply;
  if (result) {
    reply = std::move(*result);
  } else {
    if (result.error().code == ErrorCode::internal ||
        result.error().code == ErrorCode::service_unavailable) {
      spdlog::error("request {} {} {}: {}", request.request_id, to_string(request.method),
                    request.path.substr(0, 200), result.error().description);
    }
    reply = error_reply(result.error(), request);
  }
  add_cors_headers(reply);
  co_return reply;
}

}  // namespace

Handler allow_any_origin(Handler inner) {
  auto shared = std::make_shared<const Handler>(std::move(inner));
  return [shared](const Request& r) { return call_with_cors(shared, r); };
}

Reply preflight_reply(std::string_view methods) {
  Reply reply;
  reply.status = 204;
  reply.headers.emplace_back("Access-Control-Allow-Origin", "*");
  reply.headers.emplace_back("Access-Control-Allow-Methods", std::string(methods));
  reply.headers.emplace_back("Access-Control-Allow-Headers",
                             "Content-Type, X-Api-Key, Idempotency-Key, X-Request-Id");
  reply.headers.emplace_back("Access-Control-Max-Age", "600");
  return reply;
}

}  // namespace paygate::http
