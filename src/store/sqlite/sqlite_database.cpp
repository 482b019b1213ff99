#include "store/sqlite/sqlite_database.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>

#include "core/thread_name.h"
#include "store/migrations.h"

namespace paygate::store {

namespace {

constexpr Sql kBegin{"BEGIN IMMEDIATE"};
constexpr Sql kCommit{"COMMIT"};
constexpr Sql kRollback{"ROLLBACK"};
constexpr Sql kSavepoint{"SAVEPOINT w"};
constexpr Sql kRollbackToSavepoint{"ROLLBACK TO w"};
constexpr Sql kReleaseSavepoint{"RELEASE w"};
constexpr Sql kBeginRead{"BEGIN"};
constexpr Sql kHealth{"SELECT count(*) FROM schema_migrations"};

}  // namespace

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::open(const std::string& path,
                                                             const DatabaseOptions& options) {
  auto writer = SqliteConnection::open(path, SqliteConnection::Mode::read_write);
  if (!writer) return fail(writer.error());
  std::unique_ptr<SqliteDatabase> db(new SqliteDatabase(path, options));
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return fail(Error::service_unavailable("cannot stat SQLite database " + path));
  }
  db->device_ = st.st_dev;
  db->inode_ = st.st_ino;

  std::vector<std::unique_ptr<SqliteConnection>> readers;
  for (int i = 0; i < options.readers; ++i) {
    auto reader = SqliteConnection::open(path, SqliteConnection::Mode::read_only);
    if (!reader) return fail(reader.error());
    readers.push_back(std::move(*reader));
  }
  db->writer_ = named_thread("sqlite-writer", [d = db.get(), c = std::move(*writer)]() mutable {
    d->run_writer(std::move(c));
  });
  for (auto& reader : readers) {
    db->readers_.push_back(named_thread(
        "sqlite-reader",
        [d = db.get(), c = std::move(reader)]() mutable { d->run_reader(std::move(c)); }));
  }
  return db;
}

SqliteDatabase::SqliteDatabase(std::string path, DatabaseOptions options)
    : path_(std::move(path)), options_(options), health_probe_([this](Connection& conn) -> Status {
        if (auto s = check_file(); !s) return s;
        return to_status(conn.execute(kHealth, {}));
      }) {}

SqliteDatabase::~SqliteDatabase() {
  stop();
}

void SqliteDatabase::stop() {
  std::call_once(stopped_, [this] {
    close_queue(writes_);
    close_queue(reads_);
    if (writer_.joinable()) writer_.join();
    for (auto& t : readers_) {
      if (t.joinable()) t.join();
    }
  });
}

void SqliteDatabase::submit_write(Work work, Done done) {
  enqueue(writes_, options_.max_queued_writes, "writes", work, std::move(done));
}

void SqliteDatabase::submit_read(Work work, Done done) {
  enqueue(reads_, options_.max_queued_reads, "reads", work, std::move(done));
}

Status SqliteDatabase::check_file() const {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) {
    return fail(Error::service_unavailable("the database file " + path_ + " is gone"));
  }
  if (st.st_dev != device_ || st.st_ino != inode_) {
    return fail(Error::service_unavailable("the database file " + path_ + " was replaced"));
  }
  return {};
}

void SqliteDatabase::run_writer(std::unique_ptr<SqliteConnection> conn) {
  std::vector<Task> batch;
  batch.reserve(static_cast<std::size_t>(options_.max_batch));
  for (;;) {
    {
      std::unique_lock lock(writes_.mutex);
      writes_.ready.wait(lock, [&] { return writes_.stopping || !writes_.tasks.empty(); });
      if (writes_.tasks.empty()) return;  // stopping, and everything queued was done
      while (!writes_.tasks.empty() &&
             batch.size() < static_cast<std::size_t>(options_.max_batch)) {
        batch.push_back(std::move(writes_.tasks.front()));
        writes_.tasks.pop_front();
      }
    }
    commit_batch(*conn, batch);
    batch.clear();
  }
}

void SqliteDatabase::commit_batch(SqliteConnection& conn, std::vector<Task>& batch) {
  auto fail_all = [&](const Error& e) {
    for (auto& t : batch) t.done(fail(e));
  };
  if (auto s = check_file(); !s) return fail_all(s.error());
  if (auto s = conn.execute(kBegin, {}); !s) return fail_all(s.error());

  std::vector<Status> outcomes;
  outcomes.reserve(batch.size());
  for (auto& task : batch) {
    if (auto s = conn.execute(kSavepoint, {}); !s) {
      outcomes.push_back(fail(s.error()));
      continue;
    }
    Status outcome = run_guarded(task.work, conn);
    if (!outcome) {
      if (auto r = conn.execute(kRollbackToSavepoint, {}); !r) outcome = fail(r.error());
    }
    if (auto r = conn.execute(kReleaseSavepoint, {}); !r && outcome) outcome = fail(r.error());
    outcomes.push_back(std::move(outcome));
  }

  const auto committing = std::chrono::steady_clock::now();
  if (auto s = conn.execute(kCommit, {}); !s) {
    spdlog::error("group commit of {} writes failed: {}", batch.size(), s.error().description);
    (void)conn.execute(kRollback, {});
    return fail_all(s.error());
  }
  if (options_.commit_seconds != nullptr) {
    options_.commit_seconds->observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - committing).count());
  }
  if (options_.commit_batch_size != nullptr) {
    options_.commit_batch_size->observe(static_cast<double>(batch.size()));
  }
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done(std::move(outcomes[i]));
  if (auto signalled = conn.take_signals(); !signalled.empty()) {
    std::lock_guard lock(listeners_mutex_);
    for (const auto& [channel, on_notify] : listeners_) {
      if (std::find(signalled.begin(), signalled.end(), channel) != signalled.end()) on_notify();
    }
  }
}

void SqliteDatabase::listen(std::string_view channel, std::function<void()> on_notify) {
  std::lock_guard lock(listeners_mutex_);
  listeners_.emplace_back(std::string(channel), std::move(on_notify));
}

void SqliteDatabase::run_reader(std::unique_ptr<SqliteConnection> conn) {
  for (;;) {
    Task task;
    {
      std::unique_lock lock(reads_.mutex);
      reads_.ready.wait(lock, [&] { return reads_.stopping || !reads_.tasks.empty(); });
      if (reads_.tasks.empty()) return;
      task = std::move(reads_.tasks.front());
      reads_.tasks.pop_front();
    }
    // One read transaction: every statement of the work sees the same snapshot.
    Status outcome = to_status(conn->execute(kBeginRead, {}));
    if (outcome) {
      outcome = run_guarded(task.work, *conn);
      (void)conn->execute(kCommit, {});
    }
    // A read of a file moved or replaced underneath fails with SQLite's bare
    // "disk I/O error"; the log should say which file, as a write's does.
    if (!outcome && outcome.error().http_status >= 500) {
      if (auto file = check_file(); !file) outcome = std::move(file);
    }
    task.done(std::move(outcome));
  }
}

Status SqliteDatabase::migrate() {
  return write_sync(*this,
                    [](Connection& conn) { return apply_migrations(conn, Backend::sqlite); });
}

void SqliteDatabase::submit_health_check(HealthDone done) {
  HealthReport report;
  report.writes = depth(writes_, options_.max_queued_writes);
  report.reads = depth(reads_, options_.max_queued_reads);
  submit_read(health_probe_,
              [this, report = std::move(report), done = std::move(done)](Status outcome) mutable {
                // The file gone or replaced is SQLite's "cannot be reached"; a full
                // queue refuses the probe before it runs.
                if (outcome) {
                  report.database = DatabaseHealth::ok;
                } else if (!check_file()) {
                  report.database = DatabaseHealth::unreachable;
                } else if (depth(reads_, options_.max_queued_reads).full()) {
                  report.database = DatabaseHealth::overloaded;
                } else {
                  report.database = DatabaseHealth::failing;
                }
                report.outcome = std::move(outcome);
                done(std::move(report));
              });
}

}  // namespace paygate::store
