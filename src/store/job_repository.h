// SQL for the durable job queue.
#pragma once

#include <optional>
#include <vector>

#include "core/job.h"
#include "store/database.h"

namespace paygate::store {

// Inserts a pending job (id, queue, kind, subject_id, max_attempts, run_at).
Status insert_job(Connection& conn, const Job& job);

// Takes up to limit jobs that are due (pending with run_at <= now, or running
// with a lease that ran out), marks them running until lease_until and counts
// the attempt.
Result<std::vector<Job>> claim_jobs(Connection& conn, Micros now, Micros lease_until, int limit);

// The following take the attempt number the worker claimed the job with; they
// change nothing (and return false) when the job was claimed again since,
// because then the lease was lost and another worker owns it.
Result<bool> complete_job(Connection& conn, const Job& job, Micros now);
// Runs the job again at run_at without counting an attempt (a continuation).
Result<bool> continue_job_at(Connection& conn, const Job& job, Micros run_at, Micros now);
// After a failed attempt: pending again at retry_at, or dead when it was the last.
Result<bool> fail_job(Connection& conn, const Job& job, std::string_view error, Micros retry_at,
                      Micros now);

// The earliest run_at of a pending job, if any.
Result<std::optional<Micros>> next_due_job(Connection& conn);
Result<JobCounts> count_jobs(Connection& conn);
// Unfinished and dead jobs, by queue and state (done ones are not counted).
Result<std::vector<QueueCount>> count_open_jobs(Connection& conn);

}  // namespace paygate::store
