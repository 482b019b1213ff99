// One webhook POST with libcurl: pinned addresses, no redirects, no proxy
// from the environment, timeouts, at most 1 KiB of the answer kept.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

typedef void CURL;  // NOLINT: libcurl's own opaque handle type

namespace paygate::webhooks {

struct PostRequest {
  std::string url;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{5000};
  bool allow_private = false;
};

struct PostResult {
  std::optional<int> status;  // none when no HTTP answer came
  std::string body;           // first 1 KiB
  // Why there was no answer, as a kind only ("destination not allowed",
  // "timed out", "connection refused", "TLS error", "DNS lookup failed", ...):
  // the merchant reads it in the webhook log, so it never names a host, an
  // address or libcurl's text (they would map the operator's network).
  std::string error;
  std::string detail;  // the same with the host, address and libcurl's text: operator's log only
  std::int64_t duration_ms = 0;
  std::optional<std::chrono::seconds> retry_after;
};

// Runs on the calling thread (a delivery pool thread), reusing handle's
// connections.
PostResult http_post(CURL* handle, const PostRequest& request);

}  // namespace paygate::webhooks
