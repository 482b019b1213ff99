#include "api/razorpay/auth.h"

#include "http/basic_auth.h"

namespace paygate::api::razorpay {

boost::asio::awaitable<Result<Merchant>> authenticate(const Services& s, const http::Request& req) {
  const auto credentials = http::basic_credentials(req);
  if (!credentials) {
    co_return fail(
        Error::authentication("Please provide your api key for authentication purposes."));
  }
  auto merchant = co_await s.merchants.authenticate(credentials->user, credentials->password);
  if (!merchant && merchant.error().code == ErrorCode::authentication) {
    co_return fail(Error::authentication("Authentication failed"));
  }
  if (!merchant) co_return fail(std::move(merchant.error()));
  if (req.notes != nullptr) req.notes->merchant_id = merchant->id;
  co_return merchant;
}

}  // namespace paygate::api::razorpay
