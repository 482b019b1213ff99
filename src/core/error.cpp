#include "core/error.h"

namespace paygate {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::authentication:
      return "AUTHENTICATION_ERROR";
    case ErrorCode::bad_request:
      return "BAD_REQUEST_ERROR";
    case ErrorCode::invalid_vpa:
      return "INVALID_VPA";
    case ErrorCode::invalid_card:
      return "INVALID_CARD";
    case ErrorCode::expired_card:
      return "EXPIRED_CARD";
    case ErrorCode::not_found:
    case ErrorCode::no_route:
      return "NOT_FOUND_ERROR";
    case ErrorCode::idempotency:
      return "IDEMPOTENCY_ERROR";
    case ErrorCode::payload_too_large:
      return "PAYLOAD_TOO_LARGE";
    case ErrorCode::rate_limited:
      return "RATE_LIMITED";
    case ErrorCode::service_unavailable:
      return "SERVICE_UNAVAILABLE";
    case ErrorCode::internal:
      return "INTERNAL_ERROR";
  }
  return "INTERNAL_ERROR";
}

Error Error::with_status(ErrorCode code, int http_status, std::string description,
                         std::string field) {
  return Error{code, http_status, std::move(description), std::move(field), 0};
}
Error Error::bad_request(std::string description, std::string field) {
  return with_status(ErrorCode::bad_request, 400, std::move(description), std::move(field));
}
Error Error::not_found(std::string description) {
  return with_status(ErrorCode::not_found, 404, std::move(description));
}

Error Error::no_route(std::string description) {
  return with_status(ErrorCode::no_route, 404, std::move(description));
}
Error Error::authentication(std::string description) {
  return with_status(ErrorCode::authentication, 401, std::move(description));
}
Error Error::service_unavailable(std::string description) {
  return with_status(ErrorCode::service_unavailable, 503, std::move(description));
}
Error Error::internal(std::string description) {
  return with_status(ErrorCode::internal, 500, std::move(description));
}

Error Error::rate_limited(std::string description, int retry_after_s) {
  Error e = with_status(ErrorCode::rate_limited, 429, std::move(description));
  e.retry_after_s = retry_after_s;
  return e;
}
Error Error::overloaded(std::string description) {
  Error e = service_unavailable(std::move(description));
  e.retry_after_s = 1;
  return e;
}

Error Error::conflict(std::string description) {
  Error e = overloaded(std::move(description));
  e.write_conflict = true;
  return e;
}

}  // namespace paygate
