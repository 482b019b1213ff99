#include "api/razorpay/errors.h"

#include <string>

#include "core/json_writer.h"

namespace paygate::api::razorpay {

namespace {

// Razorpay's texts where an integration may match on them; paygate's own
// (which say more) everywhere else.
std::string_view description_of(const Error& e) {
  switch (e.code) {
    case ErrorCode::not_found:
      return "The id provided does not exist";
    case ErrorCode::no_route:
      return "The requested URL was not found on the server.";
    case ErrorCode::internal:
      return "The server encountered an error. The incident has been reported to admins.";
    case ErrorCode::service_unavailable:
      return "The service is temporarily unavailable. Retry after Retry-After seconds.";
    default:
      return e.description;
  }
}

// Razorpay answers an unknown id with 400, not 404; its SDKs raise the same
// BAD_REQUEST_ERROR for both.
int status_of(const Error& e) {
  if (e.code == ErrorCode::not_found && e.http_status == 404) return 400;
  return e.http_status;
}

}  // namespace

http::Reply error_reply(const Error& e, std::string_view request_id) {
  const bool server = e.http_status >= 500;
  const bool input = !server && !e.field.empty();
  JsonWriter w(320);
  w.begin_object().key("error").begin_object();
  w.field("code", server ? "SERVER_ERROR" : "BAD_REQUEST_ERROR");
  w.field("description", description_of(e));
  if (!e.field.empty()) w.field("field", std::string_view(e.field));
  w.field("source", input ? "business" : "NA");
  w.field("step", input ? "payment_initiation" : "NA");
  w.field("reason", input ? "input_validation_failed" : "NA");
  w.key("metadata").begin_object().end_object();
  w.end_object();
  // Not Razorpay's, and ignored by its SDKs: what support asks for.
  w.field("request_id", request_id);
  w.end_object();
  http::Reply r{status_of(e), w.take(), "application/json", {}};
  http::add_retry_after(r, e);
  return r;
}

}  // namespace paygate::api::razorpay
