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

class MerchantDirectory {
 public:
  explicit MerchantDirectory(store::Database& db,
                             std::chrono::seconds ttl = std::chrono::seconds(30))
      : db_(db), ttl_(ttl) {}

  // The merchant whose key and secret these are; AUTHENTICATION_ERROR otherwise.
  boost::asio::awaitable<Result<Merchant>> authenticate(std::string_view api_key,
                                                        std::string_view api_secret);
  // The merchant a publishable key names; AUTHENTICATION_ERROR when none does.
  boost::asio::awaitable<Result<Merchant>> by_key(std::string_view api_key);
  // The merchant with this id, or NOT_FOUND_ERROR.
  boost::asio::awaitable<Result<Merchant>> by_id(std::string_view id);

 private:
  struct Cached {
    Merchant merchant;
    std::chrono::steady_clock::time_point expires;
  };
  std::optional<Merchant> cached(const std::string& key) const;
  void remember(const Merchant& m);

  store::Database& db_;
  const std::chrono::seconds ttl_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, Cached> by_key_;
};

}  // namespace paygate
