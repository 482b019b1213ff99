#include "http/static_files.h"

#include <algorithm>
#include <array>
#include <utility>

namespace paygate::http {

namespace {

bool ends_with_ci(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  return std::equal(suffix.begin(), suffix.end(),
                    s.end() - static_cast<std::ptrdiff_t>(suffix.size()), [](char a, char b) {
                      const auto lower = [](char c) {
                        return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
                      };
                      return lower(a) == lower(b);
                    });
}

// Whether an If-None-Match header value (a list of ETags, or *) matches.
bool etag_matches(std::string_view header, std::string_view etag) {
  if (header.find('*') != std::string_view::npos) return true;
  while (!header.empty()) {
    const auto comma = header.find(',');
    auto item = header.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == etag) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

const EmbeddedFile* find_embedded_file(std::string_view path) {
  for (const auto& f : embedded_files()) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

std::string_view content_type_for(std::string_view path) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kTypes{{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".jpg", "image/jpeg"},
      {".webp", "image/webp"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".txt", "text/plain; charset=utf-8"},
      {".md", "text/markdown; charset=utf-8"},
      {".yaml", "application/yaml"},
  }};
  for (const auto& [ext, type] : kTypes) {
    if (ends_with_ci(path, ext)) return type;
  }
  return "application/octet-stream";
}

void add_security_headers(Reply& reply, const PagePolicy& policy) {
  std::string csp(policy.csp);
  if (policy.framing == Framing::any) {
    // Any merchant's site may embed the checkout; X-Frame-Options has no
    // "allow all", so it is left out and frame-ancestors says it.
    csp += "; frame-ancestors *";
  } else {
    csp += "; frame-ancestors 'none'";
    reply.headers.emplace_back("X-Frame-Options", "DENY");
  }
  reply.headers.emplace_back("Content-Security-Policy", std::move(csp));
  reply.headers.emplace_back("X-Content-Type-Options", "nosniff");
  reply.headers.emplace_back("Referrer-Policy", "no-referrer");
  reply.headers.emplace_back("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
}

Reply file_reply(const EmbeddedFile& file, const Request& request, const PagePolicy& policy) {
  Reply reply;
  reply.content_type = content_type_for(file.path);
  reply.headers.emplace_back("ETag", std::string(file.etag));
  reply.headers.emplace_back("Cache-Control", "no-cache");
  if (const auto inm = request.find_header("If-None-Match"); inm && etag_matches(*inm, file.etag)) {
    reply.status = 304;
  } else {
    reply.body.assign(file.bytes());
  }
  add_security_headers(reply, policy);
  return reply;
}

}  // namespace paygate::http
