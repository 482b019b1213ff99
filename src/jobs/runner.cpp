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

asio::awaitable<void> JobRunner::claim_loop() {
  while (!stopping_) {
    notified_ = false;
    const int room = options_.concurrency - in_flight_;
    std::vector<Job> claimed;
    if (room > 0) {
      const Micros now = now_micros();
      const Micros lease_until =
          now + std::chrono::duration_cast<std::chrono::microseconds>(options_.lease).count();
      auto r = co_await store::write(
          db_, [&](store::Connection& c) { return store::claim_jobs(c, now, lease_until, room); });
      if (r) {
        claimed = std::move(*r);
      } else {
        spdlog::warn("job claim failed: {}", r.error().description);
      }
    }
    for (auto& job : claimed) {
      ++in_flight_;
      asio::co_spawn(context_, run_job(std::move(job)), asio::detached);
    }
    if (!claimed.empty() && static_cast<int>(claimed.size()) == room) continue;

    // Sleep until the next job is due, a new one is enqueued, a job in flight
    // finishes (when full), or the fallback poll.
    if (notified_ || stopping_) continue;
    auto wait = options_.poll;
    if (in_flight_ < options_.concurrency) {
      auto next =
          co_await store::read(db_, [](store::Connection& c) { return store::next_due_job(c); });
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
  while (in_flight_ > 0) {
    drain.expires_after(std::chrono::milliseconds(5));
    co_await drain.async_wait(kNoThrow);
  }
  context_.stop();
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
  // for a minute would leave payments' jobs dead.
  const bool deferred = !outcome && outcome.error().code == ErrorCode::service_unavailable;
  const bool dead = !outcome && !deferred && job.attempts >= job.max_attempts;
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
    const std::string& error = outcome.error().description;
    logging::event(spdlog::level::warn, "job",
                   {{"job_id", job.id},
                    {"kind", job.kind},
                    {"subject_id", job.subject_id},
                    {"attempt", job.attempts},
                    {"max_attempts", job.max_attempts},
                    {"outcome", result},
                    {"error", error},
                    {"duration_ms", seconds * 1000}});
    const Micros now = now_micros();
    const Micros retry_at =
        now +
        std::chrono::duration_cast<std::chrono::microseconds>(retry_backoff(job.attempts)).count();
    auto r = co_await store::write(db_, [&](store::Connection& c) {
      return deferred ? store::continue_job_at(c, job, retry_at, now)
                      : store::fail_job(c, job, error, retry_at, now);
    });
    if (!r) {
      spdlog::warn("job {}: recording the {} run failed: {}", job.id, result,
                   r.error().description);
    }
  }
  --in_flight_;
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
