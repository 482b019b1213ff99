// What a handler sees of an HTTP request, and what it answers. Views only:
// everything points into the buffers the server owns for the request.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "http/stream_sink.h"

namespace paygate::http {

enum class Method { get, head, post, put, patch, del, options, other };

std::string_view to_string(Method m);

struct Header {
  std::string_view name;
  std::string_view value;
};

// What handlers learn about a request that the access log reports.
struct RequestNotes {
  std::string merchant_id;
};

struct Reply;
// Renders an error as an API dialect's error object (see Router::set_error_renderer).
using ErrorRenderer = Reply (*)(const Error& e, std::string_view request_id);

struct Request {
  Method method = Method::other;
  std::string_view path;   // without the query, not percent-decoded
  std::string_view query;  // after '?', not decoded
  std::string_view body;
  std::string_view request_id;
  std::string_view remote_address;
  std::vector<Header> headers;
  std::array<std::string_view, 4> path_params{};
  RequestNotes* notes = nullptr;  // filled in by handlers, read by the server
  // How this request's errors are rendered: its path's dialect (nullptr: the contract's).
  ErrorRenderer render_error = nullptr;

  // The header's value (case-insensitive name), or "" when absent.
  std::string_view header(std::string_view name) const;
  // The header's value, or nothing when the request does not have it.
  std::optional<std::string_view> find_header(std::string_view name) const;
  // Every line of a list header, in order, as one comma-separated list (RFC
  // 9110 5.3): what header() would miss is whatever came after the first line.
  std::string header_list(std::string_view name) const;
  // The percent-decoded value of a query parameter, when present.
  std::optional<std::string> query_param(std::string_view name) const;
  std::string_view param(std::size_t i) const { return path_params[i]; }
};

struct Reply {
  int status = 200;
  std::string body;
  std::string_view content_type = "application/json";
  std::vector<std::pair<std::string_view, std::string>> headers;
  // When set, the body is this stream rather than `body` (http/stream_sink.h).
  StreamBody stream = nullptr;
};

// The contract's error object: {"error": {"code", "description", "field"?, "request_id"}}.
// A 500's or 503's own description is never shown (a fixed one is), only logged.
Reply error_reply(const Error& e, std::string_view request_id);
// Retry-After on the answers to errors that say when to try again (429, 503).
void add_retry_after(Reply& reply, const Error& e);

// e as req's dialect renders errors (the contract's object unless its path has another).
Reply error_reply(const Error& e, const Request& req);

// What a handler's result is answered with: its reply, or error_reply of its
// error, with internal and unavailable errors logged (request id, method,
// route pattern). The one place a result becomes an answer: the server and
// route wrappers that must add headers to every answer both use it.
Reply reply_for(Result<Reply>&& result, const Request& req, std::string_view route);

}  // namespace paygate::http
