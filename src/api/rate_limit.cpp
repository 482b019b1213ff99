#include "api/rate_limit.h"

#include <chrono>
#include <memory>

#include "core/rate_limiter.h"
#include "http/basic_auth.h"

namespace paygate::api {

namespace {

struct Limits {
  Limits(const Config& config, std::function<int()> sharers)
      : proxies(config.trusted_proxies), processes(std::move(sharers)) {
    if (config.rate_limit) merchant.emplace(*config.rate_limit);
    if (config.public_rate_limit) shopper.emplace(*config.public_rate_limit);
    if (config.auth_failure_limit) auth_failures.emplace(*config.auth_failure_limit);
  }
  std::optional<RateLimiter> merchant;
  std::optional<RateLimiter> shopper;
  std::optional<RateLimiter> auth_failures;
  TrustedProxies proxies;
  std::function<int()> processes;
  // The API processes sharing each budget now: read once per request, so
  // that its take, give_back and headers agree.
  int sharers() const { return processes ? processes() : 1; }
};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void add_headers(http::Reply& reply, const RateDecision& d) {
  reply.headers.emplace_back("X-RateLimit-Limit", std::to_string(d.limit));
  reply.headers.emplace_back("X-RateLimit-Remaining", std::to_string(d.remaining));
  reply.headers.emplace_back("X-RateLimit-Reset", std::to_string(d.reset_s));
}

http::Reply refusal(const RateDecision& d, std::string description, const http::Request& req) {
  auto reply = http::error_reply(
      Error::rate_limited(std::move(description), static_cast<int>(d.retry_after_s)), req);
  add_headers(reply, d);
  return reply;
}

boost::asio::awaitable<Result<http::Reply>> limited(std::shared_ptr<Limits> limits,
                                                    Audience audience, std::string pattern,
                                                    const http::Handler& handler,
                                                    const http::Request& req) {
  const auto now = now_ms();
  const int n = limits->sharers();
  // Every X-Forwarded-For line: a proxy may add its own line (HAProxy does)
  // after one the client sent. Counted per address_bucket (IPv6 per /64).
  const std::string address = address_bucket(
      client_address(req.remote_address, req.header_list("X-Forwarded-For"), limits->proxies));
  if (limits->auth_failures) {
    // Checked before the secret is: a blocked address learns nothing about its guesses.
    const auto d = limits->auth_failures->peek(address, now, n);
    if (!d.allowed) {
      co_return refusal(d, "too many failed authentication attempts from this address; retry later",
                        req);
    }
  }
  RateLimiter* limiter = nullptr;
  std::string key;
  if (audience == Audience::merchant && limits->merchant) {
    limiter = &*limits->merchant;
    // The key is X-Api-Key, or Basic's user (the Razorpay dialect's key_id).
    std::string api_key(req.header("X-Api-Key"));
    if (api_key.empty()) {
      if (auto basic = http::basic_credentials(req)) api_key = std::move(basic->user);
    }
    key = api_key.empty() ? "addr:" + address : "key:" + api_key.substr(0, 128);
  } else if (audience == Audience::shopper && limits->shopper) {
    limiter = &*limits->shopper;
    key = address;
  }
  std::optional<RateDecision> decision;
  if (limiter != nullptr) {
    decision = limiter->take(key, now, n);
    if (!decision->allowed) {
      co_return refusal(*decision, "too many requests; retry after the Retry-After seconds", req);
    }
  }

  auto result = co_await handler(req);

  if (!result && result.error().code == ErrorCode::authentication) {
    if (limits->auth_failures) (void)limits->auth_failures->take(address, now_ms(), n);
    // Whoever knows a merchant's (public) key must not spend its budget with
    // wrong secrets: only authenticated requests count against a key.
    if (audience == Audience::merchant && limiter != nullptr) {
      limiter->give_back(key, now_ms(), n);
      decision = limiter->peek(key, now_ms(), n);
    }
  }
  if (!decision) co_return result;
  http::Reply reply = http::reply_for(std::move(result), req, pattern);
  add_headers(reply, *decision);
  co_return reply;
}

}  // namespace

Audience audience_of(std::string_view pattern) {
  // Health checks and Prometheus scrapes come from the operator's own systems;
  // a scrape's token is a secret, so wrong guesses at it are limited.
  if (pattern == "/health" || pattern == "/api/v1/health" || pattern.starts_with("/api/v1/test/")) {
    return Audience::none;
  }
  if (pattern == "/metrics") return Audience::operator_;
  // Razorpay's checkout script is a page's <script src>, not an API call; the
  // result of its payment is asked by the shopper's browser.
  if (pattern == "/v1/checkout.js") return Audience::none;
  if (pattern.starts_with("/v1/checkout/")) return Audience::shopper;
  if (pattern.find("/public") != std::string_view::npos) return Audience::shopper;
  return Audience::merchant;
}

void add_rate_limits(http::Router& router, const Config& config, std::function<int()> processes) {
  if (!config.rate_limit && !config.public_rate_limit && !config.auth_failure_limit) return;
  auto limits = std::make_shared<Limits>(config, std::move(processes));
  router.wrap([&](http::Method, std::string_view pattern, http::Handler h) -> http::Handler {
    const Audience audience = audience_of(pattern);
    if (audience == Audience::none) return h;
    return [limits, audience, p = std::string(pattern), h = std::move(h)](
               const http::Request& req) { return limited(limits, audience, p, h, req); };
  });
}

}  // namespace paygate::api
