// The status line and header fields of an answer, rendered by hand into one
// buffer the connection keeps: Beast's serializer allocated each field and
// walked a cat-view of buffers per response, a measurable share of a request.
#pragma once

#include <string>
#include <string_view>

#include "http/request.h"

namespace paygate::http {

// Replaces out with the head of the answer to reply: the status line, then
// Content-Type, Cache-Control: no-store and X-Request-Id (a header of reply's
// with one of those names replaces it; the others follow in order), then
// Connection as keep_alive needs for this HTTP version (10 or 11), then
// Content-Length, and the blank line. A 1xx, 204 or 304 answer has no body
// and no Content-Length: the result says whether reply.body is to be sent. A
// streamed reply (Reply::stream) has neither, and always closes the
// connection: its body is written after the head, until the connection ends.
bool render_response_head(std::string& out, const Reply& reply, std::string_view request_id,
                          unsigned version, bool keep_alive);

}  // namespace paygate::http
