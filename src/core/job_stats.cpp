#include "core/job_stats.h"

#include "store/async.h"
#include "store/job_repository.h"

namespace paygate {

boost::asio::awaitable<Result<JobCounts>> count_jobs(store::Database& db) {
  co_return co_await store::read(db, [](store::Connection& c) { return store::count_jobs(c); });
}

boost::asio::awaitable<Result<std::vector<QueueCount>>> count_open_jobs(store::Database& db) {
  co_return co_await store::read(db,
                                 [](store::Connection& c) { return store::count_open_jobs(c); });
}

}  // namespace paygate
