#include "cli/api.h"

#include <boost/json/parse.hpp>
#include <cctype>
#include <charconv>
#include <thread>

#include "cli/signals.h"
#include "core/ids.h"

namespace paygate::cli {

namespace json = boost::json;

std::optional<std::string> normalize_api_url(std::string_view text) {
  if (!text.starts_with("http://") && !text.starts_with("https://")) return std::nullopt;
  const std::size_t host = text.find("://") + 3;
  std::string url(text);
  while (url.ends_with('/')) url.pop_back();
  if (url.ends_with("/api/v1")) url.resize(url.size() - 7);
  while (url.ends_with('/')) url.pop_back();
  if (url.size() <= host) return std::nullopt;  // no host
  return url;
}

std::optional<json::value> parse_json(std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return std::nullopt;
  return v;
}

std::string describe_failure(const HttpResponse& response, std::string_view target) {
  if (!response.answered()) {
    return "no answer from " + std::string(target) + ": " + response.error;
  }
  const std::string status = "HTTP " + std::to_string(response.status);
  if (const auto v = parse_json(response.body); v && v->is_object()) {
    const auto* error = v->as_object().if_contains("error");
    if (error != nullptr && error->is_object()) {
      const auto& e = error->as_object();
      std::string out;
      if (const auto* d = e.if_contains("description"); d != nullptr && d->is_string()) {
        out = std::string(d->as_string());
      }
      std::string tail = status;
      if (const auto* c = e.if_contains("code"); c != nullptr && c->is_string()) {
        tail = std::string(c->as_string()) + ", " + status;
      }
      if (const auto* f = e.if_contains("field"); f != nullptr && f->is_string()) {
        tail += ", field " + std::string(f->as_string());
      }
      // What the server's log files the detail of a 5xx under.
      if (const auto* r = e.if_contains("request_id");
          r != nullptr && r->is_string() && response.status >= 500) {
        tail += ", request " + std::string(r->as_string());
      }
      return (out.empty() ? std::string(target) : out) + " (" + tail + ")";
    }
  }
  return std::string(target) + " answered " + status;
}

HeaderList Api::auth_headers() const {
  return {{"X-Api-Key", config_.key}, {"X-Api-Secret", config_.secret}};
}

namespace {

constexpr int kAttempts = 4;

bool worth_retrying(const HttpResponse& r) {
  return !r.answered() || r.status == 409 || r.status == 429 || r.status >= 500;
}

// Retry-After in seconds when the server gave one (capped: a CLI waits a
// little, not an hour), else the attempt's own backoff.
std::chrono::milliseconds retry_delay(const HttpResponse& r, int attempt) {
  const std::string ra = r.header("Retry-After");
  int seconds = 0;
  if (!ra.empty()) {
    const auto [p, ec] = std::from_chars(ra.data(), ra.data() + ra.size(), seconds);
    if (ec == std::errc() && seconds >= 0) {
      return std::chrono::milliseconds(std::min(seconds, 10) * 1000);
    }
  }
  return std::chrono::milliseconds(250 << attempt);
}

}  // namespace

HttpResponse Api::call(std::string_view method, std::string_view target, std::string_view body) {
  HttpRequest request;
  request.method = std::string(method);
  request.url = url(target);
  request.headers = auth_headers();
  if (method != "GET") {
    request.headers.emplace_back("Content-Type", "application/json");
    request.headers.emplace_back("Idempotency-Key", "cli_" + random_alnum(24));
    request.body = std::string(body);
  }
  HttpResponse response;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    response = http_.send(request, [] { return stop_requests() > 1; });
    if (!worth_retrying(response) || attempt + 1 == kAttempts) break;
    if (!sleep_unless_stopped(retry_delay(response, attempt))) break;
  }
  return response;
}

namespace {

json::value answer_of(const HttpResponse& r, std::string_view target) {
  if (r.status < 200 || r.status >= 300) throw CliError(describe_failure(r, target));
  auto v = parse_json(r.body);
  if (!v) throw CliError(std::string(target) + " answered something that is not JSON");
  return std::move(*v);
}

}  // namespace

json::value Api::get_json(std::string_view target) {
  return answer_of(call("GET", target), target);
}

json::value Api::post_json(std::string_view target, std::string_view body) {
  return answer_of(call("POST", target, body), target);
}

std::string query_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~' || c == ',') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace paygate::cli
