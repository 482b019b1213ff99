// The one error type that travels from wherever a failure is found to the
// single place (http/) that renders it as the contract's error object.
#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace paygate {

enum class ErrorCode {
  authentication,
  bad_request,
  invalid_vpa,
  invalid_card,
  expired_card,
  not_found,
  no_route,  // the path names no resource at all (NOT_FOUND_ERROR too)
  idempotency,
  payload_too_large,
  rate_limited,
  service_unavailable,
  internal,
};

// The contract's code string, e.g. "BAD_REQUEST_ERROR".
std::string_view to_string(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::internal;
  int http_status = 500;
  std::string description;
  std::string field;      // empty when the error is not about one field
  int retry_after_s = 0;  // RATE_LIMITED / SERVICE_UNAVAILABLE: when to try again (0: 1 s)
  // A row the transaction read was changed by another one before it wrote:
  // running the whole transaction again, on fresh reads, may succeed.
  bool write_conflict = false;

  static Error bad_request(std::string description, std::string field = {});
  static Error not_found(std::string description);
  // No route for the request's path (an unknown URL, not an unknown id).
  static Error no_route(std::string description);
  static Error authentication(std::string description);
  static Error service_unavailable(std::string description);
  static Error internal(std::string description);
  // 429: over a rate limit; a token is back in retry_after_s seconds.
  static Error rate_limited(std::string description, int retry_after_s);
  // 503 at once, rather than queueing without bound.
  static Error overloaded(std::string description);
  // 503 if retrying the transaction did not get past the conflict.
  static Error conflict(std::string description);
  static Error with_status(ErrorCode code, int http_status, std::string description,
                           std::string field = {});
};

template <class T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline std::unexpected<Error> fail(Error e) {
  return std::unexpected<Error>(std::move(e));
}

// The outcome of r without its value (g++ 12's std::expected has no transform).
template <class T>
Status to_status(Result<T>&& r) {
  if (!r) return fail(std::move(r.error()));
  return {};
}

}  // namespace paygate
