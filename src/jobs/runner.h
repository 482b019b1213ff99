// Runs the durable job queues: each queue claims its due jobs, up to a budget
// of its own, with a lease that is renewed while the job runs; each kind's
// handler runs as a coroutine; failures are retried with exponential backoff,
// and a job that used up its attempts (crashes of its worker included) or its
// deferrals is dead, with a reason. A queue's budget is what it can start at
// once: a slow merchant's webhooks fill the webhook queue's budget, never the
// payments'. It wakes when a job is enqueued in this process, when the next
// scheduled job is due, and on a slow poll (for jobs enqueued by other
// processes). No thread ever sleeps inside a job.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "core/job.h"
#include "metrics/registry.h"
#include "store/database.h"

namespace paygate::jobs {

using JobHandler = std::function<boost::asio::awaitable<Status>(const Job&)>;
using PeriodicTask = std::function<boost::asio::awaitable<Status>()>;

struct RunnerOptions {
  // Jobs of each queue in flight at once; a queue not named here gets none.
  std::map<std::string, int, std::less<>> concurrency;
  // A claimed job is taken again when its worker has not renewed the lease
  // for this long (renewed every third of it while the job runs).
  std::chrono::milliseconds lease{30'000};
  std::chrono::milliseconds poll{500};
  metrics::Registry* metrics = nullptr;  // job runs by queue and outcome, when set
  // Runs put off because the database could not be used spend no attempt;
  // after this many the job is dead (about an hour, with the backoff).
  std::int64_t max_deferrals = 20;
  // This process's id in the processes table, recorded on the jobs it claims.
  std::string process_id;
};

class JobRunner {
 public:
  JobRunner(store::Database& db, RunnerOptions options);
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  // Registration, before start().
  void on(std::string_view kind, JobHandler handler);
  void every(std::chrono::milliseconds period, std::string name, PeriodicTask task);

  void start();
  // Lets the jobs in flight finish (their transactions are short), then stops.
  void stop();
  // A job was enqueued: look now. Thread-safe, cheap.
  void notify();
  // Runs f on the runner's thread (for the watchdog: an answer shows the
  // runner's loop is not stuck). Thread-safe.
  void post(std::function<void()> f);
  bool running() const { return running_.load(); }

 private:
  boost::asio::awaitable<void> claim_loop();
  // One transaction: each queue's due jobs, up to the room it has.
  boost::asio::awaitable<std::vector<Job>> claim();
  // Renews the leases of the jobs in flight, and buries abandoned jobs.
  boost::asio::awaitable<void> renew_loop();
  boost::asio::awaitable<void> bury_abandoned();
  boost::asio::awaitable<void> run_job(Job job);
  int room(const std::string& queue) const;
  boost::asio::awaitable<void> run_periodic(std::chrono::milliseconds period, std::string name,
                                            PeriodicTask task);

  store::Database& db_;
  const RunnerOptions options_;
  boost::asio::io_context context_{1};
  boost::asio::steady_timer wake_{context_};
  std::map<std::string, JobHandler, std::less<>> handlers_;
  struct Periodic {
    std::chrono::milliseconds period;
    std::string name;
    PeriodicTask task;
  };
  std::vector<Periodic> periodic_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> running_{false};
  std::atomic<bool> notified_{false};
  // Only touched on context_'s thread: the jobs in flight (their leases are
  // renewed), and how many of each queue.
  std::map<std::string, Job, std::less<>> in_flight_;
  std::map<std::string, int, std::less<>> in_flight_by_queue_;
  // Job-run counters by (queue, outcome), only touched on context_'s thread.
  std::map<std::pair<std::string, std::string_view>, metrics::Counter*> run_counters_;
  void count_run(const Job& job, std::string_view outcome);
  std::thread thread_;
};

// Backoff after failed attempt n (1-based): 1 s, 2 s, 4 s, ... at most 5 min.
std::chrono::milliseconds retry_backoff(std::int64_t attempt);

}  // namespace paygate::jobs
