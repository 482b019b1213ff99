#include "http/request.h"

#include <spdlog/spdlog.h>
#include <strings.h>

#include <boost/url/params_view.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/parse_query.hpp>

#include "core/json_writer.h"

namespace paygate::http {

std::string_view to_string(Method m) {
  switch (m) {
    case Method::get:
      return "GET";
    case Method::head:
      return "HEAD";
    case Method::post:
      return "POST";
    case Method::put:
      return "PUT";
    case Method::patch:
      return "PATCH";
    case Method::del:
      return "DELETE";
    case Method::options:
      return "OPTIONS";
    case Method::other:
      return "OTHER";
  }
  return "OTHER";
}

std::optional<std::string_view> Request::find_header(std::string_view name) const {
  for (const auto& h : headers) {
    if (h.name.size() == name.size() &&
        ::strncasecmp(h.name.data(), name.data(), name.size()) == 0) {
      return h.value;
    }
  }
  return std::nullopt;
}

std::string_view Request::header(std::string_view name) const {
  return find_header(name).value_or(std::string_view());
}

std::string Request::header_list(std::string_view name) const {
  std::string out;
  for (const auto& h : headers) {
    if (h.name.size() == name.size() &&
        ::strncasecmp(h.name.data(), name.data(), name.size()) == 0) {
      if (!out.empty()) out += ", ";
      out += h.value;
    }
  }
  return out;
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  if (query.empty()) return std::nullopt;
  // Boost.URL 1.81-1.82 parse_query measures its input with strlen, reading
  // past the end of a view that is not NUL-terminated (boostorg/url#757);
  // query points into the request target, so give it a terminated copy.
  const std::string terminated(query);
  auto encoded = boost::urls::parse_query(terminated);
  if (!encoded) return std::nullopt;
  for (auto p : boost::urls::params_view(*encoded)) {
    if (p.key == name) return std::string(p.value);
  }
  return std::nullopt;
}

namespace {

// A 5xx's own description is for the log: it may hold a driver's text (libpq
// names the database host and user), a file path or SQL.
std::string_view public_description(const Error& e) {
  if (e.http_status < 500) return e.description;
  if (e.code == ErrorCode::service_unavailable) {
    return "the service is temporarily unavailable; retry after Retry-After seconds, and quote "
           "the request_id if it lasts";
  }
  return "an internal error occurred; quote the request_id";
}

}  // namespace

Reply error_reply(const Error& e, std::string_view request_id) {
  JsonWriter w(256);
  w.begin_object().key("error").begin_object();
  w.field("code", to_string(e.code));
  w.field("description", public_description(e));
  if (!e.field.empty()) w.field("field", std::string_view(e.field));
  w.field("request_id", request_id);
  w.end_object().end_object();
  Reply r{e.http_status, w.take(), "application/json", {}};
  add_retry_after(r, e);
  return r;
}

void add_retry_after(Reply& reply, const Error& e) {
  if (e.code == ErrorCode::service_unavailable || e.code == ErrorCode::rate_limited) {
    reply.headers.emplace_back("Retry-After", std::to_string(std::max(1, e.retry_after_s)));
  }
}

Reply error_reply(const Error& e, const Request& req) {
  return req.render_error != nullptr ? req.render_error(e, req.request_id)
                                     : error_reply(e, req.request_id);
}

Reply reply_for(Result<Reply>&& result, const Request& req, std::string_view route) {
  if (result) return std::move(*result);
  const Error& e = result.error();
  if (e.code == ErrorCode::internal || e.code == ErrorCode::service_unavailable) {
    spdlog::error("request {} {} {}: {}", req.request_id, to_string(req.method), route,
                  e.description);
  }
  return error_reply(e, req);
}

}  // namespace paygate::http
