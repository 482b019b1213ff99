#include "api/idempotent.h"

namespace paygate::api {

std::optional<http::Reply> answer_without_running(const IdempotencyClaim& claim,
                                                  const http::Request& req) {
  using Outcome = IdempotencyClaim::Outcome;
  switch (claim.outcome) {
    case Outcome::owned:
      return std::nullopt;
    case Outcome::replay: {
      http::Reply r{claim.status, claim.body, "application/json", {}};
      r.headers.emplace_back("Idempotent-Replayed", "true");
      return r;
    }
    case Outcome::mismatch:
      return http::error_reply(
          Error::with_status(ErrorCode::idempotency, 422,
                             "this Idempotency-Key was used with a different request",
                             "Idempotency-Key"),
          req);
    case Outcome::in_flight: {
      auto r = http::error_reply(
          Error::with_status(ErrorCode::idempotency, 409,
                             "a request with this Idempotency-Key is still in progress",
                             "Idempotency-Key"),
          req);
      r.headers.emplace_back("Retry-After", "1");
      return r;
    }
  }
  return std::nullopt;
}

}  // namespace paygate::api
