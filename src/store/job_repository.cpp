#include "store/job_repository.h"

namespace paygate::store {

namespace {

constexpr Sql kInsert{
    "INSERT INTO jobs (id, queue, kind, subject_id, state, attempts, max_attempts, run_at,"
    " created_at, updated_at) VALUES ($1, $2, $3, $4, 'pending', 0, $5, $6, $7, $7)"};

// Delivered when the transaction commits; repeated signals in one transaction
// are folded into one.
constexpr Sql kNotifyPostgres{"SELECT pg_notify('paygate_jobs', '')"};

// The subquery picks one queue's due pending jobs in run_at order: one range
// of jobs_due (queue, state, run_at). PostgreSQL adds FOR UPDATE SKIP LOCKED
// so that concurrent workers take different ones. Jobs whose lease ran out
// are put back to pending by release_abandoned_jobs, not looked for here:
// a claim runs after every job, an abandoned lease is rare.
#define PAYGATE_CLAIM(LOCK)                                                       \
  "UPDATE jobs SET state = 'running', lease_until = $2, attempts = attempts + 1," \
  " claimed_by = $5, updated_at = $1 WHERE id IN (SELECT id FROM jobs WHERE"      \
  " queue = $4 AND"                                                               \
  " state = 'pending' AND run_at <= $1 ORDER BY run_at LIMIT $3" LOCK             \
  ")"                                                                             \
  " RETURNING id, queue, kind, subject_id, attempts, max_attempts, run_at, deferrals"
constexpr Sql kClaimSqlite{PAYGATE_CLAIM("")};
constexpr Sql kClaimPostgres{PAYGATE_CLAIM(" FOR UPDATE SKIP LOCKED")};
#undef PAYGATE_CLAIM

// A running job whose lease ran out had a worker that died (or stopped
// renewing) while running it: pending again, to be claimed (its attempt
// already counted), while it has attempts left.
constexpr Sql kReleaseAbandoned{
    "UPDATE jobs SET state = 'pending', lease_until = NULL, run_at = $1, updated_at = $1"
    " WHERE queue = $2 AND state = 'running' AND lease_until < $1 AND attempts < max_attempts"};
// A running job whose lease ran out had a worker that died (or stopped
// renewing) while running it; once that has used up its attempts, it is dead.
constexpr Sql kBuryAbandoned{
    "UPDATE jobs SET state = 'dead', lease_until = NULL, last_error = $3, updated_at = $1"
    " WHERE queue = $2 AND state = 'running' AND lease_until < $1 AND attempts >= max_attempts"
    " RETURNING id, queue, kind, subject_id, attempts, max_attempts, run_at, deferrals"};
constexpr Sql kRenew{
    "UPDATE jobs SET lease_until = $3 WHERE id = $1 AND attempts = $2 AND state = 'running'"};
constexpr Sql kBury{
    "UPDATE jobs SET state = 'dead', lease_until = NULL, last_error = $3, updated_at = $4"
    " WHERE id = $1 AND attempts = $2 AND state = 'running'"};
constexpr Sql kListDead{
    "SELECT id, queue, kind, subject_id, attempts, last_error, updated_at FROM jobs"
    " WHERE state = 'dead' ORDER BY updated_at DESC, id LIMIT $1"};

constexpr Sql kComplete{
    "UPDATE jobs SET state = 'done', lease_until = NULL, updated_at = $3"
    " WHERE id = $1 AND attempts = $2 AND state = 'running'"};
constexpr Sql kContinue{
    "UPDATE jobs SET state = 'pending', lease_until = NULL, attempts = attempts - 1,"
    " run_at = $3, updated_at = $4 WHERE id = $1 AND attempts = $2 AND state = 'running'"};
constexpr Sql kDefer{
    "UPDATE jobs SET state = 'pending', lease_until = NULL, attempts = attempts - 1,"
    " deferrals = deferrals + 1, run_at = $3, updated_at = $4"
    " WHERE id = $1 AND attempts = $2 AND state = 'running'"};
constexpr Sql kFail{
    "UPDATE jobs SET state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'pending' END,"
    " lease_until = NULL, run_at = $3, last_error = $4, updated_at = $5"
    " WHERE id = $1 AND attempts = $2 AND state = 'running'"};
constexpr Sql kNextDue{"SELECT min(run_at) FROM jobs WHERE queue = $1 AND state = 'pending'"};
constexpr Sql kCounts{"SELECT state, count(*) FROM jobs GROUP BY state"};
constexpr Sql kOpenCounts{
    "SELECT queue, state, count(*) FROM jobs WHERE state IN ('pending', 'running', 'dead')"
    " GROUP BY queue, state"};

Job job_from_row(const Row& row) {
  return Job{row.string(0), row.string(1), row.string(2), row.string(3),
             row.int64(4),  row.int64(5),  row.int64(6),  row.int64(7)};
}

Result<bool> changed_one(Result<std::int64_t> r) {
  if (!r) return fail(r.error());
  return *r == 1;
}

}  // namespace

Status insert_job(Connection& conn, const Job& job) {
  const Param params[] = {job.id,           job.queue,  job.kind,    job.subject_id,
                          job.max_attempts, job.run_at, now_micros()};
  if (auto r = conn.execute(kInsert, params); !r) return fail(r.error());
  if (conn.backend() == Backend::postgres) return to_status(conn.execute(kNotifyPostgres, {}));
  return {};
}

Result<std::vector<Job>> claim_jobs(Connection& conn, std::string_view queue, Micros now,
                                    Micros lease_until, int limit, std::string_view claimer) {
  const Param params[] = {now, lease_until, std::int64_t{limit}, queue, claimer};
  return query_all(conn, conn.backend() == Backend::postgres ? kClaimPostgres : kClaimSqlite,
                   params, job_from_row);
}

Result<std::int64_t> release_abandoned_jobs(Connection& conn, std::string_view queue, Micros now) {
  const Param params[] = {now, queue};
  return conn.execute(kReleaseAbandoned, params);
}

Result<std::vector<Job>> bury_abandoned_jobs(Connection& conn, std::string_view queue,
                                             std::string_view reason, Micros now) {
  const Param params[] = {now, queue, reason};
  return query_all(conn, kBuryAbandoned, params, job_from_row);
}

Result<bool> renew_lease(Connection& conn, const Job& job, Micros lease_until) {
  const Param params[] = {job.id, job.attempts, lease_until};
  return changed_one(conn.execute(kRenew, params));
}

Result<bool> defer_job(Connection& conn, const Job& job, Micros run_at, Micros now) {
  const Param params[] = {job.id, job.attempts, run_at, now};
  return changed_one(conn.execute(kDefer, params));
}

Result<bool> bury_job(Connection& conn, const Job& job, std::string_view reason, Micros now) {
  const Param params[] = {job.id, job.attempts, reason.substr(0, 1000), now};
  return changed_one(conn.execute(kBury, params));
}

Result<std::vector<DeadJob>> list_dead_jobs(Connection& conn, int limit) {
  const Param params[] = {std::int64_t{limit}};
  return query_all(conn, kListDead, params, [](const Row& row) {
    return DeadJob{row.string(0), row.string(1), row.string(2),
                   row.string(3), row.int64(4),  row.optional_string(5).value_or(""),
                   row.int64(6)};
  });
}

Result<bool> complete_job(Connection& conn, const Job& job, Micros now) {
  const Param params[] = {job.id, job.attempts, now};
  return changed_one(conn.execute(kComplete, params));
}

Result<bool> continue_job_at(Connection& conn, const Job& job, Micros run_at, Micros now) {
  const Param params[] = {job.id, job.attempts, run_at, now};
  return changed_one(conn.execute(kContinue, params));
}

Result<bool> fail_job(Connection& conn, const Job& job, std::string_view error, Micros retry_at,
                      Micros now) {
  const Param params[] = {job.id, job.attempts, retry_at, error.substr(0, 1000), now};
  return changed_one(conn.execute(kFail, params));
}

Result<std::optional<Micros>> next_due_job(Connection& conn, std::string_view queue) {
  std::optional<Micros> next;
  const Param params[] = {queue};
  auto r = conn.execute(kNextDue, params, [&](const Row& row) {
    if (!row.is_null(0)) next = row.int64(0);
  });
  if (!r) return fail(r.error());
  return next;
}

Result<JobCounts> count_jobs(Connection& conn) {
  JobCounts c;
  auto r = conn.execute(kCounts, {}, [&](const Row& row) {
    const auto state = row.text(0);
    const auto n = row.int64(1);
    if (state == kJobPending)
      c.pending = n;
    else if (state == kJobRunning)
      c.running = n;
    else if (state == kJobDone)
      c.done = n;
    else if (state == kJobDead)
      c.dead = n;
  });
  if (!r) return fail(r.error());
  return c;
}

Result<std::vector<QueueCount>> count_open_jobs(Connection& conn) {
  return query_all(conn, kOpenCounts, {}, [](const Row& row) {
    return QueueCount{row.string(0), row.string(1), row.int64(2)};
  });
}

}  // namespace paygate::store
