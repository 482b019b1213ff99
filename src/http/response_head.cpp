#include "http/response_head.h"

#include <array>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>
#include <charconv>

namespace paygate::http {

namespace {

void append_number(std::string& out, std::size_t n) {
  std::array<char, 24> digits{};
  const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), n).ptr;
  out.append(digits.data(), end);
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

}  // namespace

bool render_response_head(std::string& out, const Reply& reply, std::string_view request_id,
                          unsigned version, bool keep_alive) {
  struct Field {
    std::string_view name;
    std::string_view value;
  };
  std::array<Field, 3> fixed{{{"Content-Type", reply.content_type},
                              {"Cache-Control", "no-store"},
                              {"X-Request-Id", request_id}}};
  auto fixed_slot = [&](std::string_view name) -> Field* {
    for (auto& f : fixed) {
      if (boost::beast::iequals(f.name, name)) return &f;
    }
    return nullptr;
  };
  for (const auto& [name, value] : reply.headers) {
    if (Field* f = fixed_slot(name)) f->value = value;
  }

  out.clear();
  out.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  append_number(out, static_cast<std::size_t>(reply.status));
  out.push_back(' ');
  out.append(
      boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(reply.status)));
  out.append("\r\n");
  for (const auto& f : fixed) append_field(out, f.name, f.value);
  for (const auto& [name, value] : reply.headers) {
    if (fixed_slot(name) == nullptr) append_field(out, name, value);
  }
  if (version == 10 && keep_alive) append_field(out, "Connection", "keep-alive");
  if (reply.stream) {
    // The body ends when the connection closes: no length, no keep-alive.
    if (version != 10) append_field(out, "Connection", "close");
    out.append("\r\n");
    return false;
  }
  if (version != 10 && !keep_alive) append_field(out, "Connection", "close");
  const bool has_body = reply.status / 100 != 1 && reply.status != 204 && reply.status != 304;
  if (has_body) {
    out.append("Content-Length: ");
    append_number(out, reply.body.size());
    out.append("\r\n");
  }
  out.append("\r\n");
  return has_body;
}

}  // namespace paygate::http
