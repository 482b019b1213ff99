// SQLite behind the Database interface. One writer thread owns the only
// read-write connection and group-commits: it takes every write waiting, runs
// each in its own SAVEPOINT inside one transaction and answers them all after a
// single durable COMMIT. Readers have their own connections and threads, and
// in WAL mode never wait for the writer.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "store/database.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/work_queue.h"

namespace paygate::store {

class SqliteDatabase final : public Database {
 public:
  static Result<std::unique_ptr<SqliteDatabase>> open(const std::string& path,
                                                      const DatabaseOptions& options);
  ~SqliteDatabase() override;

  Backend backend() const override { return Backend::sqlite; }
  void submit_write(Work work, Done done) override;
  void submit_read(Work work, Done done) override;
  Status migrate() override;
  void submit_health_check(HealthDone done) override;
  void stop() override;
  // In this process only: SQLite has no notifications between processes (a
  // listener that must hear another process's writes polls as well).
  void listen(std::string_view channel, std::function<void()> on_notify) override;

 private:
  using Task = WorkTask;
  using Queue = WorkQueue;

  SqliteDatabase(std::string path, DatabaseOptions options);
  void run_writer(std::unique_ptr<SqliteConnection> conn);
  void run_reader(std::unique_ptr<SqliteConnection> conn);
  void commit_batch(SqliteConnection& conn, std::vector<Task>& batch);
  // The file at path is still the one that was opened (not deleted or replaced).
  Status check_file() const;

  const std::string path_;
  const DatabaseOptions options_;
  dev_t device_ = 0;
  ino_t inode_ = 0;
  Queue writes_;
  Queue reads_;
  std::thread writer_;
  std::vector<std::thread> readers_;
  std::once_flag stopped_;
  const std::function<Status(Connection&)> health_probe_;
  // Added at startup, read by the writer after each commit.
  std::mutex listeners_mutex_;
  std::vector<std::pair<std::string, std::function<void()>>> listeners_;
};

}  // namespace paygate::store
