#include "core/merchants.h"

#include "core/crypto.h"
#include "core/ids.h"
#include "store/async.h"
#include "store/merchant_repository.h"

namespace paygate {

CreatedMerchant make_merchant(std::string name, std::string email) {
  CreatedMerchant out;
  out.api_secret = "secret_" + random_alnum(32);
  out.merchant = Merchant{new_id(kMerchantPrefix),    std::move(name),
                          std::move(email),           "key_" + random_alnum(20),
                          sha256_hex(out.api_secret), now_micros()};
  return out;
}

Merchant demo_merchant() {
  return Merchant{std::string(kDemoMerchantId),    std::string(kDemoMerchantName),
                  std::string(kDemoMerchantEmail), std::string(kDemoApiKey),
                  sha256_hex(kDemoApiSecret),      now_micros()};
}

std::string checkout_signature(std::string_view api_secret, std::string_view order_id,
                               std::string_view payment_id) {
  std::string message;
  message.reserve(order_id.size() + 1 + payment_id.size());
  message.append(order_id).append("|").append(payment_id);
  return hmac_sha256_hex(api_secret, message);
}

Status validate_merchant_fields(std::string_view name, std::string_view email) {
  if (name.empty() || name.size() > 120) {
    return fail(Error::bad_request("name must be 1 to 120 characters", "name"));
  }
  const auto at = email.find('@');
  if (email.size() > 254 || at == std::string_view::npos || at == 0 || at + 1 >= email.size() ||
      email.find('@', at + 1) != std::string_view::npos) {
    return fail(Error::bad_request("email must be an address like name@example.com", "email"));
  }
  return {};
}

std::optional<Merchant> MerchantDirectory::cached(const std::string& key) const {
  std::shared_lock lock(mutex_);
  auto it = by_key_.find(key);
  if (it == by_key_.end() || it->second.expires < std::chrono::steady_clock::now()) {
    return std::nullopt;
  }
  return it->second.merchant;
}

void MerchantDirectory::remember(const Merchant& m) {
  std::unique_lock lock(mutex_);
  if (by_key_.size() > 100'000) by_key_.clear();  // bounded: a flood of keys cannot grow it
  by_key_[m.api_key] = Cached{m, std::chrono::steady_clock::now() + ttl_};
}

boost::asio::awaitable<Result<Merchant>> MerchantDirectory::by_key(std::string_view api_key) {
  if (api_key.empty() || api_key.size() > 128) {
    co_return fail(Error::authentication("the API key is missing or invalid"));
  }
  const std::string key(api_key);
  if (auto m = cached(key)) co_return std::move(*m);
  auto found = co_await store::read(
      db_, [&](store::Connection& c) { return store::find_merchant_by_key(c, key); });
  if (!found) co_return fail(std::move(found.error()));
  if (!*found) co_return fail(Error::authentication("the API key is missing or invalid"));
  remember(**found);
  co_return std::move(**found);
}

boost::asio::awaitable<Result<Merchant>> MerchantDirectory::authenticate(
    std::string_view api_key, std::string_view api_secret) {
  if (api_key.empty() || api_secret.empty()) {
    co_return fail(Error::authentication("X-Api-Key and X-Api-Secret are required"));
  }
  auto m = co_await by_key(api_key);
  if (!m) {
    if (m.error().code == ErrorCode::authentication) {
      co_return fail(Error::authentication("invalid API key or secret"));
    }
    co_return m;
  }
  if (!constant_time_equal(sha256_hex(api_secret), m->secret_hash)) {
    co_return fail(Error::authentication("invalid API key or secret"));
  }
  if (!m->secret_sealed) co_await keep_sealed(*m, api_secret);
  co_return m;
}

boost::asio::awaitable<void> MerchantDirectory::keep_sealed(Merchant& m,
                                                            std::string_view api_secret) {
  const std::string secret(api_secret);
  auto sealed = co_await store::write(db_, [&](store::Connection& c) {
    return store::seal_merchant_secret(c, box_, m.id, secret);
  });
  // Not sealed now (the database refused the write): the request goes on, and
  // the next authentication tries again. Sealed, or found sealed by another
  // process: this one need not try again.
  if (!sealed) co_return;
  m.secret_sealed = true;
  remember(m);
}

boost::asio::awaitable<Result<std::string>> MerchantDirectory::checkout_signature(
    std::string_view merchant_id, std::string_view order_id, std::string_view payment_id) {
  const std::string id(merchant_id);
  auto secret = co_await store::read(
      db_, [&](store::Connection& c) { return store::find_merchant_secret(c, box_, id); });
  if (!secret) co_return fail(std::move(secret.error()));
  if (!*secret) {
    co_return fail(Error::with_status(
        ErrorCode::bad_request, 409,
        "no razorpay_signature can be made for payment " + std::string(payment_id) +
            ": paygate holds no sealed copy of merchant " + id +
            "'s API secret yet (made before it kept one, or without the master key); the "
            "merchant's next call with its key and secret (such as creating an order with POST "
            "/v1/orders) gives it one. The payment itself succeeded."));
  }
  co_return paygate::checkout_signature(**secret, order_id, payment_id);
}

boost::asio::awaitable<Result<Merchant>> MerchantDirectory::by_id(std::string_view id) {
  const std::string wanted(id);
  auto found = co_await store::read(
      db_, [&](store::Connection& c) { return store::find_merchant_by_id(c, wanted); });
  if (!found) co_return fail(std::move(found.error()));
  if (!*found) co_return fail(Error::not_found("no merchant with id " + wanted));
  co_return std::move(**found);
}

}  // namespace paygate
