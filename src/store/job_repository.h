// SQL for the durable job queue.
#pragma once

#include <optional>
#include <vector>

#include "core/job.h"
#include "store/database.h"

namespace paygate::store {

// Inserts a pending job (id, queue, kind, subject_id, max_attempts, run_at).
// The channel a committed insert_job signals (PostgreSQL NOTIFY), so that
// workers in every process look for work at once rather than at their next poll.
inline constexpr std::string_view kJobsChannel = "paygate_jobs";

Status insert_job(Connection& conn, const Job& job);

// Takes up to limit of the queue's pending jobs that are due, marks them
// running until lease_until and counts the attempt: an attempt is counted when
// it starts, so one that crashes its process counts too. claimer (the
// process's id in the processes table) is recorded as the lease's holder.
Result<std::vector<Job>> claim_jobs(Connection& conn, std::string_view queue, Micros now,
                                    Micros lease_until, int limit, std::string_view claimer);
// The queue's running jobs whose lease ran out with attempts left (their
// worker died or stopped renewing): pending again, due now. How many.
Result<std::int64_t> release_abandoned_jobs(Connection& conn, std::string_view queue, Micros now);
// The queue's running jobs whose lease ran out with their attempts used up
// (their workers died running them, again and again): dead now, with reason.
// The jobs buried.
Result<std::vector<Job>> bury_abandoned_jobs(Connection& conn, std::string_view queue,
                                             std::string_view reason, Micros now);

// The following take the attempt number the worker claimed the job with; they
// change nothing (and return false) when the job was claimed again since,
// because then the lease was lost and another worker owns it.
Result<bool> complete_job(Connection& conn, const Job& job, Micros now);
// Keeps the job's lease until lease_until while its worker runs it.
Result<bool> renew_lease(Connection& conn, const Job& job, Micros lease_until);
// Runs the job again at run_at without counting an attempt (a continuation).
Result<bool> continue_job_at(Connection& conn, const Job& job, Micros run_at, Micros now);
// As continue_job_at, counting a deferral: the run could not use the database.
Result<bool> defer_job(Connection& conn, const Job& job, Micros run_at, Micros now);
// Dead now, whatever attempts are left, with reason.
Result<bool> bury_job(Connection& conn, const Job& job, std::string_view reason, Micros now);
// The most recently dead jobs, newest first.
Result<std::vector<DeadJob>> list_dead_jobs(Connection& conn, int limit);
// After a failed attempt: pending again at retry_at, or dead when it was the last.
Result<bool> fail_job(Connection& conn, const Job& job, std::string_view error, Micros retry_at,
                      Micros now);

// The earliest run_at of a pending job of the queue, if any.
Result<std::optional<Micros>> next_due_job(Connection& conn, std::string_view queue);
Result<JobCounts> count_jobs(Connection& conn);
// Unfinished and dead jobs, by queue and state (done ones are not counted).
Result<std::vector<QueueCount>> count_open_jobs(Connection& conn);

}  // namespace paygate::store
