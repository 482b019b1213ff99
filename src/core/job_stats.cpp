#include "core/job_stats.h"

#include "core/ids.h"
#include "store/async.h"
#include "store/job_repository.h"
#include "store/process_repository.h"

namespace paygate {

boost::asio::awaitable<Result<JobCounts>> count_jobs(store::Database& db) {
  co_return co_await store::read(db, [](store::Connection& c) { return store::count_jobs(c); });
}

boost::asio::awaitable<Result<std::vector<QueueCount>>> count_open_jobs(store::Database& db) {
  co_return co_await store::read(db,
                                 [](store::Connection& c) { return store::count_open_jobs(c); });
}

boost::asio::awaitable<Result<std::vector<DeadJob>>> list_dead_jobs(store::Database& db,
                                                                    int limit) {
  co_return co_await store::read(
      db, [limit](store::Connection& c) { return store::list_dead_jobs(c, limit); });
}

boost::asio::awaitable<Result<std::vector<ProcessStatus>>> list_processes(store::Database& db) {
  co_return co_await store::read(db, [](store::Connection& c) { return store::list_processes(c); });
}

boost::asio::awaitable<Result<std::string>> enqueue_job(store::Database& db, std::string_view queue,
                                                        std::string_view kind,
                                                        std::string_view subject,
                                                        std::int64_t max_attempts) {
  const Job job{new_id("job_"),
                std::string(queue),
                std::string(kind),
                std::string(subject),
                0,
                max_attempts,
                now_micros(),
                0};
  auto s =
      co_await store::write(db, [&](store::Connection& c) { return store::insert_job(c, job); });
  if (!s) co_return fail(std::move(s.error()));
  co_return job.id;
}

}  // namespace paygate
