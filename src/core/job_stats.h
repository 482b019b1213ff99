// How many jobs are in each state, and which died (for /test/jobs/status and
// metrics); test mode's raw enqueue.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "core/job.h"
#include "core/process.h"
#include "store/database.h"

namespace paygate {

boost::asio::awaitable<Result<JobCounts>> count_jobs(store::Database& db);
boost::asio::awaitable<Result<std::vector<QueueCount>>> count_open_jobs(store::Database& db);
boost::asio::awaitable<Result<std::vector<DeadJob>>> list_dead_jobs(store::Database& db, int limit);
// Every process registered on the database (live or recently expired), with
// the running jobs each holds.
boost::asio::awaitable<Result<std::vector<ProcessStatus>>> list_processes(store::Database& db);
// A job of this kind for subject, due now: its id.
boost::asio::awaitable<Result<std::string>> enqueue_job(store::Database& db, std::string_view queue,
                                                        std::string_view kind,
                                                        std::string_view subject,
                                                        std::int64_t max_attempts);

}  // namespace paygate
