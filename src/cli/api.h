// paygate's merchant API as the CLI calls it: the base URL and credentials,
// JSON in and out, retries that are safe (a POST keeps its Idempotency-Key
// across them), and one line that says why a call failed.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "cli/http_client.h"

namespace paygate::cli {

// A failure that ends the command: main prints "paygate: " + what() on one
// line and exits with exit_code.
class CliError : public std::runtime_error {
 public:
  explicit CliError(const std::string& message, int exit_code = 1)
      : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

struct ApiConfig {
  std::string url;  // scheme://host[:port], no trailing "/" and no "/api/v1"
  std::string key;
  std::string secret;
};

// "http://h:1/api/v1/" -> "http://h:1": users paste either form. Nothing when
// text is not an http(s) URL.
std::optional<std::string> normalize_api_url(std::string_view text);

// Why a call failed, in one line: the server's error description with its
// code and status, or what kept it from answering.
std::string describe_failure(const HttpResponse& response, std::string_view target);

// The body as JSON; nothing when it is not JSON.
std::optional<boost::json::value> parse_json(std::string_view body);

class Api {
 public:
  explicit Api(ApiConfig config) : config_(std::move(config)) {}

  const ApiConfig& config() const { return config_; }
  // The base URL + target ("/api/v1/...").
  std::string url(std::string_view target) const { return config_.url + std::string(target); }
  // X-Api-Key and X-Api-Secret.
  HeaderList auth_headers() const;

  // GET target; the JSON answer of a 2xx, else CliError(describe_failure).
  boost::json::value get_json(std::string_view target);
  // POST target with body and a fresh Idempotency-Key, kept on every retry
  // (no answer, 409 in progress, 429, 5xx), so the server makes one object
  // however often it is sent; the JSON answer of a 2xx, else CliError.
  boost::json::value post_json(std::string_view target, std::string_view body);

  // The raw exchange, retried as above; the caller judges the answer.
  HttpResponse call(std::string_view method, std::string_view target, std::string_view body = {});

  HttpClient& http() { return http_; }

 private:
  ApiConfig config_;
  HttpClient http_;
};

// Percent-encodes s for a query string (unreserved characters and "," stay).
std::string query_encode(std::string_view s);

}  // namespace paygate::cli
