// PostgreSQL behind the Database interface. A fixed pool of threads, each
// owning one connection, takes work from two queues: writes (the writes
// waiting together in one transaction, each alone when that fails; retried on
// serialization failures, deadlocks and stale rows; `done` called after
// COMMIT) and reads (one snapshot per piece: a lone statement,
// or a REPEATABLE READ READ ONLY transaction when it takes several).
// Coroutines never block: they hand work to these threads, as with SQLite.
//
// When PostgreSQL goes away, a thread whose connection broke answers its work
// with SERVICE_UNAVAILABLE and reconnects on its next piece of work; while
// connecting keeps failing, work is refused at once (no waiting for a
// connect timeout per request) and retried every kRetryConnectMs.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "store/database.h"
#include "store/postgres/pg_connection.h"
#include "store/work_queue.h"

namespace paygate::store {

class PgDatabase final : public Database {
 public:
  static Result<std::unique_ptr<PgDatabase>> open(const DatabaseUrl& url,
                                                  const DatabaseOptions& options);
  ~PgDatabase() override;

  Backend backend() const override { return Backend::postgres; }
  void submit_write(Work work, Done done) override;
  void submit_read(Work work, Done done) override;
  Status migrate() override;
  void submit_health_check(HealthDone done) override;
  void stop() override;
  void listen(std::string_view channel, std::function<void()> on_notify) override;

 private:
  using Task = WorkTask;
  using Queue = WorkQueue;

  PgDatabase(std::string conninfo, DatabaseOptions options);
  // shard: what the thread's connection reports as Connection::shard().
  void run(Queue& queue, bool writes, std::unique_ptr<PgConnection> conn, std::int64_t shard);
  // A usable connection: conn itself, reopened when it broke, or an error.
  Status ensure_connected(std::unique_ptr<PgConnection>& conn, bool writes);
  void run_reads(PgConnection& conn, std::span<Task> batch);
  void run_writes(PgConnection& conn, std::span<Task> batch);
  bool commit_together(PgConnection& conn, std::span<Task> batch, bool savepoints);
  static void answer(Task& task, Status outcome);
  Status run_write(PgConnection& conn, Work work);
  Status commit(PgConnection& conn, std::size_t writes);
  Status run_read(PgConnection& conn, Work work);
  void run_listener(const std::string& channel, const std::function<void()>& on_notify);

  const std::string conninfo_;
  const DatabaseOptions options_;
  Queue writes_;
  Queue reads_;
  std::vector<std::thread> threads_;
  std::once_flag stopped_;
  std::atomic<bool> stopping_{false};
  // Until when connecting is not tried again (steady clock, ns since epoch).
  std::atomic<std::int64_t> down_until_{0};
};

// The advisory lock ("paygate1") a process holds while it migrates, so that
// processes that start together migrate one after the other.
inline constexpr std::int64_t kMigrationLock = 0x7061796761746531;

// The libpq connection string for a postgres:// URL (as given, plus timeouts).
std::string pg_conninfo(const DatabaseUrl& url);

}  // namespace paygate::store
