// Merchants: creation, and finding who a request comes from by its API key.
// Every authenticated request needs the merchant behind its key, so known
// merchants are kept in memory for a short time instead of costing a database
// round trip each.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "core/merchant.h"
#include "core/secret_box.h"
#include "store/database.h"

namespace paygate {

// A new merchant and the one time its secret is seen in the clear.
struct CreatedMerchant {
  Merchant merchant;
  std::string api_secret;
};

// Makes a merchant with fresh id, key and secret (hashing the secret).
CreatedMerchant make_merchant(std::string name, std::string email);
Merchant demo_merchant();
Status validate_merchant_fields(std::string_view name, std::string_view email);

// Razorpay Checkout's razorpay_signature of a successful payment: hex
// HMAC-SHA256 of "<order_id>|<payment_id>" under the merchant's API secret,
// what the razorpay SDKs' validatePaymentVerification checks.
std::string checkout_signature(std::string_view api_secret, std::string_view order_id,
                               std::string_view payment_id);

class MerchantDirectory {
 public:
  MerchantDirectory(store::Database& db, const SecretBox& box,
                    std::chrono::seconds ttl = std::chrono::seconds(30))
      : db_(db), box_(box), ttl_(ttl) {}

  // The merchant whose key and secret these are; AUTHENTICATION_ERROR otherwise.
  // A merchant made before secrets were kept sealed has its secret sealed
  // here, the first time it is seen in the clear.
  boost::asio::awaitable<Result<Merchant>> authenticate(std::string_view api_key,
                                                        std::string_view api_secret);
  // The merchant a publishable key names; AUTHENTICATION_ERROR when none does.
  boost::asio::awaitable<Result<Merchant>> by_key(std::string_view api_key);
  // The merchant with this id, or NOT_FOUND_ERROR.
  boost::asio::awaitable<Result<Merchant>> by_id(std::string_view id);

  // razorpay_signature (above) of merchant_id's payment payment_id of order
  // order_id. A 409 saying why when the merchant's secret is not kept sealed
  // (yet): no signature rather than a wrong one.
  boost::asio::awaitable<Result<std::string>> checkout_signature(std::string_view merchant_id,
                                                                 std::string_view order_id,
                                                                 std::string_view payment_id);

 private:
  struct Cached {
    Merchant merchant;
    std::chrono::steady_clock::time_point expires;
  };
  std::optional<Merchant> cached(const std::string& key) const;
  void remember(const Merchant& m);
  // Seals api_secret for m if no sealed copy is kept (see authenticate).
  boost::asio::awaitable<void> keep_sealed(Merchant& m, std::string_view api_secret);

  store::Database& db_;
  const SecretBox& box_;
  const std::chrono::seconds ttl_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, Cached> by_key_;
};

}  // namespace paygate
