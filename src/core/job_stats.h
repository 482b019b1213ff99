// How many jobs are in each state (for /test/jobs/status and metrics).
#pragma once

#include <boost/asio/awaitable.hpp>

#include "core/job.h"
#include "store/database.h"

namespace paygate {

boost::asio::awaitable<Result<JobCounts>> count_jobs(store::Database& db);
boost::asio::awaitable<Result<std::vector<QueueCount>>> count_open_jobs(store::Database& db);

}  // namespace paygate
