#include "api/auth.h"

namespace paygate::api {

namespace {

// Who the request is for, for the access log.
Result<Merchant> noted(const http::Request& req, Result<Merchant> merchant) {
  if (merchant && req.notes != nullptr) req.notes->merchant_id = merchant->id;
  return merchant;
}

}  // namespace

boost::asio::awaitable<Result<Merchant>> authenticate_merchant(const Services& s,
                                                               const http::Request& req) {
  co_return noted(
      req, co_await s.merchants.authenticate(req.header("X-Api-Key"), req.header("X-Api-Secret")));
}

boost::asio::awaitable<Result<Merchant>> resolve_public_merchant(const Services& s,
                                                                 const http::Request& req,
                                                                 const boost::json::object* body) {
  std::string key(req.header("X-Api-Key"));
  if (key.empty() && body != nullptr) {
    if (const auto* v = body->if_contains("key_id"); v != nullptr && v->is_string()) {
      key = std::string(v->get_string());
    }
  }
  if (key.empty()) key = req.query_param("key_id").value_or("");
  if (key.empty()) {
    if (s.default_merchant_key.empty()) {
      co_return fail(Error::authentication(
          "a publishable key is required: X-Api-Key header or key_id parameter"));
    }
    key = s.default_merchant_key;
  }
  co_return noted(req, co_await s.merchants.by_key(key));
}

}  // namespace paygate::api
