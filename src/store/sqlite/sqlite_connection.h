// One SQLite connection, used by one thread at a time, with its prepared
// statements kept for reuse.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/database.h"

namespace paygate::store {

class SqliteConnection final : public Connection {
 public:
  enum class Mode { read_write, read_only };
  static Result<std::unique_ptr<SqliteConnection>> open(const std::string& path, Mode mode);
  ~SqliteConnection() override;
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Backend backend() const override { return Backend::sqlite; }
  Result<std::int64_t> execute(Sql sql, std::span<const Param> params,
                               RowCallback on_row = {}) override;
  Status execute_script(std::string_view sql) override;
  Status signal(std::string_view channel) override;
  // The channels signalled since the last call (the writer's, after a commit).
  std::vector<std::string> take_signals() { return std::exchange(signals_, {}); }

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}

  struct Prepared {
    sqlite3_stmt* stmt = nullptr;
    // For each SQLite parameter slot (1-based, at index slot-1): which $n it is.
    std::vector<int> param_numbers;
  };
  Result<Prepared*> prepare(Sql sql);
  Error error_from(int rc, std::string_view what) const;

  sqlite3* db_;
  std::unordered_map<const char*, Prepared> statements_;
  std::vector<std::string> signals_;
};

}  // namespace paygate::store
