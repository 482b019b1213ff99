// Serving the embedded web files: lookup, Content-Type, ETag revalidation,
// and the security headers every page carries.
#pragma once

#include <string_view>

#include "http/embedded_files.h"
#include "http/request.h"

namespace paygate::http {

// The embedded file with this URL path, or null.
const EmbeddedFile* find_embedded_file(std::string_view path);

// The Content-Type for a file name, from its extension; text types are UTF-8.
std::string_view content_type_for(std::string_view path);

// Who may show a page in a frame.
enum class Framing {
  none,  // X-Frame-Options: DENY, frame-ancestors 'none' (dashboard, demo, assets)
  any,   // frame-ancestors * (the hosted checkout, which merchants embed)
};

struct PagePolicy {
  Framing framing = Framing::none;
  // The Content-Security-Policy without its frame-ancestors directive; the
  // default allows only the gateway's own scripts, styles, images and API.
  std::string_view csp = kDefaultCsp;

  static constexpr std::string_view kDefaultCsp =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      "connect-src 'self'; frame-src 'self'; font-src 'self'; object-src 'none'; "
      "base-uri 'none'; form-action 'self'";
};

// Adds Content-Security-Policy, X-Frame-Options, X-Content-Type-Options,
// Referrer-Policy and Permissions-Policy to a reply.
void add_security_headers(Reply& reply, const PagePolicy& policy);

// The file as a 200, or a 304 when the request's If-None-Match has its ETag.
// Cache-Control: no-cache, so a browser revalidates (cheaply) and never runs
// an old checkout after an upgrade.
Reply file_reply(const EmbeddedFile& file, const Request& request, const PagePolicy& policy);

}  // namespace paygate::http
