#include "jobs/runner.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/thread_name.h"
#include "logging/log.h"
#include "store/async.h"
#include "store/job_repository.h"

namespace paygate::jobs {

namespace asio = boost::asio;

namespace {
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
}

std::chrono::milliseconds retry_backoff(std::int64_t attempt) {
  const std::int64_t shift = std::clamp<std::int64_t>(attempt - 1, 0, 20);
  return std::min(std::chrono::milliseconds(1000LL << shift), std::chrono::milliseconds(300'000));
}

JobRunner::JobRunner(store::Database& db, RunnerOptions options) : db_(db), options_(options) {}

JobRunner::~JobRunner() {
  stop();
}

void JobRunner::on(std::string_view kind, JobHandler handler) {
  handlers_.emplace(std::string(kind), std::move(handler));
}

void JobRunner::every(std::chrono::milliseconds period, std::string name, PeriodicTask task) {
  periodic_.push_back({period, std::move(name), std::move(task)});
}

void JobRunner::start() {
  running_ = true;
  asio::co_spawn(context_, claim_loop(), asio::detached);
  asio::co_spawn(context_, renew_loop(), asio::detached);
  for (const auto& p : periodic_) {
    asio::co_spawn(context_, run_periodic(p.period, p.name, p.task), asio::detached);
  }
  thread_ = named_thread("jobs", [this] {
    auto guard = asio::make_work_guard(context_);
    context_.run();
  });
}

void JobRunner::stop() {
  if (!thread_.joinable()) return;
  asio::post(context_, [this] {
    stopping_ = true;
    wake_.cancel();
  });
  thread_.join();
  running_ = false;
}

void JobRunner::notify() {
  if (notified_.exchange(true)) return;  // a wake-up is already on its way
  asio::post(context_, [this] { wake_.cancel(); });
}

void JobRunner::post(std::function<void()> f) {
  asio::post(context_, std::move(f));
}

int JobRunner::room(const std::string& queue) const {
  const auto budget = options_.concurrency.find(queue);
  const auto busy = in_flight_by_queue_.find(queue);
  return (budget == options_.concurrency.end() ? 0 : budget->second) -
         (busy == in_flight_by_queue_.end() ? 0 : busy->second);
}

asio::awaitable<std::vector<Job>> JobRunner::claim() {
  std::vector<std::pair<std::string, int>> wanted;
  for (const auto& [queue, budget] : options_.concurrency) {
    if (const int r = room(queue); r > 0) wanted.emplace_back(queue, r);
  }
  const Micros now = now_micros();
  const Micros lease_until =
      now + std::chrono::duration_cast<std::chrono::microseconds>(options_.lease).count();
  std::vector<Job> claimed;
  auto r = co_await store::write(db_, [&](store::Connection& c) -> Status {
    claimed.clear();
    for (const auto& [queue, limit] : wanted) {
      auto jobs = store::claim_jobs(c, queue, now, lease_until, limit, options_.process_id);
      if (!jobs) return fail(jobs.error());
      for (auto& job : *jobs) claimed.push_back(std::move(job));
    }
    return {};
  });
  if (!r) {
    spdlog::warn("job claim failed: {}", r.error().description);
    co_return std::vector<Job>{};
  }
  co_return claimed;
}

asio::awaitable<void> JobRunner::claim_loop() {
  while (!stopping_) {
    notified_ = false;
    std::vector<Job> claimed = co_await claim();
    bool some_queue_filled = false;
    for (auto& job : claimed) {
      some_queue_filled = some_queue_filled || room(job.queue) == 1;
      ++in_flight_by_queue_[job.queue];
      const std::string id = job.id;
      in_flight_.insert_or_assign(id, job);
      asio::co_spawn(context_, run_job(std::move(job)), asio::detached);
    }
    // A queue may have more due work than it had room for: look again at once.
    if (some_queue_filled) continue;

    // Sleep until the next job of a queue with room is due, a new one is
    // enqueued, a job in flight finishes, or the fallback poll.
    if (notified_ || stopping_) continue;
    auto wait = options_.poll;
    std::vector<std::string> open;
    for (const auto& [queue, budget] : options_.concurrency) {
      if (room(queue) > 0) open.push_back(queue);
    }
    if (!open.empty()) {
      auto next =
          co_await store::read(db_, [&](store::Connection& c) -> Result<std::optional<Micros>> {
            std::optional<Micros> earliest;
            for (const auto& queue : open) {
              auto due = store::next_due_job(c, queue);
              if (!due) return fail(due.error());
              if (*due && (!earliest || **due < *earliest)) earliest = *due;
            }
            return earliest;
          });
      if (next && *next) {
        const auto until_due = std::chrono::microseconds(**next - now_micros());
        wait = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(until_due),
                          std::chrono::milliseconds(0), options_.poll);
      }
    }
    if (notified_ || stopping_) continue;
    wake_.expires_after(wait);
    co_await wake_.async_wait(kNoThrow);
  }
  // Let the jobs in flight finish, then let the context run out of work.
  asio::steady_timer drain(context_);
  while (!in_flight_.empty()) {
    drain.expires_after(std::chrono::milliseconds(5));
    co_await drain.async_wait(kNoThrow);
  }
  context_.stop();
}

// Abandoned jobs appear only as leases run out, so they are looked for at the
// renewal's pace, not at every claim (which runs after every job): those with
// attempts left are pending again, the others dead.
asio::awaitable<void> JobRunner::bury_abandoned() {
  const Micros now = now_micros();
  std::vector<Job> buried;
  std::int64_t released = 0;
  auto r = co_await store::write(db_, [&](store::Connection& c) -> Status {
    buried.clear();
    released = 0;
    for (const auto& [queue, budget] : options_.concurrency) {
      auto back = store::release_abandoned_jobs(c, queue, now);
      if (!back) return fail(back.error());
      released += *back;
      auto dead = store::bury_abandoned_jobs(
          c, queue, "its worker stopped (crashed or was killed) while running it, on every attempt",
          now);
      if (!dead) return fail(dead.error());
      for (auto& job : *dead) buried.push_back(std::move(job));
    }
    return {};
  });
  if (!r) {
    spdlog::warn("looking for abandoned jobs failed: {}", r.error().description);
    co_return;
  }
  if (released > 0) {
    spdlog::warn("{} jobs whose worker stopped renewing their lease are pending again", released);
    notified_ = true;
    wake_.cancel();
  }
  for (const auto& job : buried) {
    count_run(job, "dead");
    logging::event(spdlog::level::err, "job",
                   {{"job_id", job.id},
                    {"kind", job.kind},
                    {"subject_id", job.subject_id},
                    {"attempt", job.attempts},
                    {"max_attempts", job.max_attempts},
                    {"outcome", "dead"},
                    {"error", "its worker stopped while running it, on every attempt"}});
  }
}

// A job keeps its lease for as long as its handler runs, however long that
// is (a webhook POST to a slow receiver, a database kept busy): it is taken
// again only when this process died or stopped renewing.
asio::awaitable<void> JobRunner::renew_loop() {
  asio::steady_timer timer(context_);
  const auto every = std::max(options_.lease / 3, std::chrono::milliseconds(10));
  while (!stopping_) {
    timer.expires_after(every);
    co_await timer.async_wait(kNoThrow);
    if (stopping_) continue;
    co_await bury_abandoned();
    if (in_flight_.empty()) continue;
    std::vector<Job> jobs;
    jobs.reserve(in_flight_.size());
    for (const auto& [id, job] : in_flight_) jobs.push_back(job);
    const Micros lease_until =
        now_micros() +
        std::chrono::duration_cast<std::chrono::microseconds>(options_.lease).count();
    std::vector<std::string> lost;
    auto r = co_await store::write(db_, [&](store::Connection& c) -> Status {
      lost.clear();
      for (const auto& job : jobs) {
        auto renewed = store::renew_lease(c, job, lease_until);
        if (!renewed) return fail(renewed.error());
        if (!*renewed) lost.push_back(job.id);
      }
      return {};
    });
    if (!r) {
      spdlog::warn("renewing {} job leases failed: {}", jobs.size(), r.error().description);
      continue;
    }
    // Finished meanwhile, or taken by another worker after this one stalled
    // past its lease: its handler's record will then change nothing.
    for (const auto& id : lost) {
      if (in_flight_.contains(id)) spdlog::warn("job {}: lease lost while running", id);
    }
  }
}

void JobRunner::count_run(const Job& job, std::string_view outcome) {
  if (options_.metrics == nullptr) return;
  auto& counter = run_counters_[{job.queue, outcome}];
  if (counter == nullptr) {
    counter = &options_.metrics->counter(
        "paygate_job_runs_total", "Job runs by queue and outcome (ok, failed, dead, deferred).",
        {{"queue", job.queue}, {"outcome", std::string(outcome)}});
  }
  counter->inc();
}

asio::awaitable<void> JobRunner::run_job(Job job) {
  const auto started = std::chrono::steady_clock::now();
  Status outcome;
  if (auto it = handlers_.find(job.kind); it == handlers_.end()) {
    outcome = fail(Error::internal("no handler for job kind " + job.kind));
  } else {
    try {
      outcome = co_await it->second(job);
    } catch (const std::exception& e) {
      outcome = fail(Error::internal(std::string("exception: ") + e.what()));
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // A database that could not be used (down, overloaded, a statement kept
  // waiting past its timeout by someone's lock) is not the job's fault: it
  // runs again later without spending one of its attempts, or a lock held
  // for a minute would leave payments' jobs dead; but not forever.
  const bool unavailable = !outcome && outcome.error().code == ErrorCode::service_unavailable;
  const bool deferred = unavailable && job.deferrals < options_.max_deferrals;
  const bool dead = !outcome && !deferred && (unavailable || job.attempts >= job.max_attempts);
  const std::string_view result = outcome ? "ok" : deferred ? "deferred" : dead ? "dead" : "failed";
  count_run(job, result);
  if (outcome) {
    logging::event(spdlog::level::info, "job",
                   {{"job_id", job.id},
                    {"kind", job.kind},
                    {"subject_id", job.subject_id},
                    {"attempt", job.attempts},
                    {"outcome", result},
                    {"duration_ms", seconds * 1000}});
  } else {
    std::string error = outcome.error().description;
    if (dead && unavailable) {
      error = "deferred " + std::to_string(job.deferrals) +
              " times, the database unusable each time: " + error;
    }
    logging::event(dead ? spdlog::level::err : spdlog::level::warn, "job",
                   {{"job_id", job.id},
                    {"kind", job.kind},
                    {"subject_id", job.subject_id},
                    {"attempt", job.attempts},
                    {"max_attempts", job.max_attempts},
                    {"outcome", result},
                    {"error", error},
                    {"duration_ms", seconds * 1000}});
    const Micros now = now_micros();
    const auto backoff = retry_backoff(deferred ? job.deferrals + 1 : job.attempts);
    const Micros retry_at =
        now + std::chrono::duration_cast<std::chrono::microseconds>(backoff).count();
    auto r = co_await store::write(db_, [&](store::Connection& c) {
      if (deferred) return store::defer_job(c, job, retry_at, now);
      if (dead && unavailable) return store::bury_job(c, job, error, now);
      return store::fail_job(c, job, error, retry_at, now);
    });
    if (!r) {
      spdlog::warn("job {}: recording the {} run failed: {}", job.id, result,
                   r.error().description);
    }
  }
  in_flight_.erase(job.id);
  --in_flight_by_queue_[job.queue];
  // Room again, and the job may have enqueued others (events, continuations).
  notified_ = true;
  wake_.cancel();
}

asio::awaitable<void> JobRunner::run_periodic(std::chrono::milliseconds period, std::string name,
                                              PeriodicTask task) {
  asio::steady_timer timer(context_);
  while (!stopping_) {
    timer.expires_after(period);
    co_await timer.async_wait(kNoThrow);
    if (stopping_) break;
    Status s = co_await task();
    if (!s) spdlog::warn("{} failed: {}", name, s.error().description);
  }
}

}  // namespace paygate::jobs
