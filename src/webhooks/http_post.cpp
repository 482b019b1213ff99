#include "webhooks/http_post.h"

#include <curl/curl.h>

#include <array>
#include <boost/url/parse.hpp>
#include <charconv>
#include <ctime>
#include <memory>

#include "core/webhook.h"
#include "webhooks/address_guard.h"

namespace paygate::webhooks {

namespace {

constexpr std::size_t kMaxReadBytes = 1024 * 1024;  // more than this and we stop listening

struct Capture {
  std::string body;
  std::size_t total = 0;
  std::optional<std::chrono::seconds> retry_after;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* c = static_cast<Capture*>(user);
  const std::size_t n = size * count;
  c->total += n;
  if (c->body.size() < kMaxLoggedResponseBytes) {
    c->body.append(data, std::min(n, kMaxLoggedResponseBytes - c->body.size()));
  }
  return c->total > kMaxReadBytes ? 0 : n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* c = static_cast<Capture*>(user);
  const std::string_view line(data, size * count);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    std::string lower(line.substr(0, kName.size()));
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (lower == kName) {
      std::string_view v = line.substr(kName.size());
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
      while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) {
        v.remove_suffix(1);
      }
      long long seconds = 0;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
      if (ec == std::errc() && p == v.data() + v.size() && seconds >= 0) {
        c->retry_after = std::chrono::seconds(seconds);
      } else if (!v.empty()) {
        // Retry-After may also be an HTTP-date (RFC 9110 10.2.3).
        const std::string date(v);
        const std::time_t at = curl_getdate(date.c_str(), nullptr);
        if (at != -1) {
          c->retry_after = std::chrono::seconds(std::max<std::time_t>(0, at - std::time(nullptr)));
        }
      }
    }
  }
  return size * count;
}

// The merchant-visible kind of a transfer that got no HTTP answer.
std::string_view failure_kind(CURLcode rc) {
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      return "timed out";
    case CURLE_COULDNT_CONNECT:
      return "connection refused";
    case CURLE_COULDNT_RESOLVE_HOST:
      return "DNS lookup failed";
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
      return "TLS error";
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:
      return "connection closed without an answer";
    default:
      return "delivery failed";
  }
}

using SList = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

void append(SList& list, const std::string& line) {
  curl_slist* head = curl_slist_append(list.get(), line.c_str());
  if (!list) list.reset(head);
}

}  // namespace

PostResult http_post(CURL* handle, const PostRequest& request) {
  PostResult result;
  const auto started = std::chrono::steady_clock::now();
  auto finish = [&]() -> PostResult {
    result.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - started)
                             .count();
    return std::move(result);
  };

  const std::string url_text = request.url;  // NUL-terminated for Boost.URL 1.81
  auto url = boost::urls::parse_absolute_uri(url_text);
  if (!url) {
    result.error = "invalid URL";
    result.detail = result.error;
    return finish();
  }
  const bool https = url->scheme_id() == boost::urls::scheme::https;
  const std::string host(url->host_address());
  std::uint16_t port = https ? 443 : 80;
  if (url->has_port()) port = url->port_number();
  auto addresses = resolve_for_delivery(host, port, request.allow_private);
  if (!addresses) {
    const bool refused = addresses.error().code == ErrorCode::bad_request;
    result.error = refused ? "destination not allowed" : "DNS lookup failed";
    result.detail = addresses.error().description;
    return finish();
  }

  // Pin the connection to the addresses just checked. (An IP literal is
  // connected to as it is, no name to resolve; and CURLOPT_RESOLVE cannot
  // name an IPv6 literal host.)
  SList resolve(nullptr, &curl_slist_free_all);
  const auto host_type = url->host_type();
  if (host_type != boost::urls::host_type::ipv4 && host_type != boost::urls::host_type::ipv6) {
    std::string pin = host + ":" + std::to_string(port) + ":";
    for (std::size_t i = 0; i < addresses->size(); ++i) {
      const auto& a = (*addresses)[i];
      if (i > 0) pin += ",";
      pin += a.find(':') != std::string::npos ? "[" + a + "]" : a;
    }
    append(resolve, "-" + host + ":" + std::to_string(port));
    append(resolve, pin);
  }

  SList headers(nullptr, &curl_slist_free_all);
  for (const auto& [name, value] : request.headers) append(headers, name + ": " + value);
  append(headers, "Expect:");  // no 100-continue round trip

  Capture capture;
  std::array<char, CURL_ERROR_SIZE> curl_error{};
  curl_easy_reset(handle);
  curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
  // "" and not unset: unset, libcurl takes http_proxy/https_proxy/ALL_PROXY
  // from the environment, and a proxy resolves the host again itself, past
  // the pinned, checked addresses.
  curl_easy_setopt(handle, CURLOPT_PROXY, "");
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, curl_error.data());
  curl_easy_setopt(handle, CURLOPT_RESOLVE, resolve.get());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_POST, 1L);
  curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &capture);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &capture);
  curl_easy_setopt(handle, CURLOPT_USERAGENT, "paygate-webhooks/" PAYGATE_VERSION);

  const CURLcode rc = curl_easy_perform(handle);
  long status = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  if (status > 0) result.status = static_cast<int>(status);
  if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && status > 0)) {
    result.error = failure_kind(rc);
    result.detail = std::string(curl_easy_strerror(rc)) +
                    (curl_error[0] != '\0' ? ": " + std::string(curl_error.data()) : "");
    result.status.reset();
  }
  result.body = std::move(capture.body);
  result.retry_after = capture.retry_after;
  // The handle keeps its connection cache across calls, but not our lists.
  curl_easy_setopt(handle, CURLOPT_RESOLVE, nullptr);
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, nullptr);
  return finish();
}

}  // namespace paygate::webhooks
