#include "core/sandbox_reset.h"

#include "store/async.h"
#include "store/reset_repository.h"

namespace paygate {

boost::asio::awaitable<Result<ResetCounts>> reset_merchant(store::Database& db,
                                                           const Merchant& merchant) {
  co_return co_await store::write(
      db, [&](store::Connection& c) { return store::delete_merchant_data(c, merchant.id); });
}

}  // namespace paygate
