#include "store/sqlite/sqlite_connection.h"

#include <algorithm>
#include <charconv>

namespace paygate::store {

namespace {

class SqliteRow final : public Row {
 public:
  explicit SqliteRow(sqlite3_stmt* stmt) : stmt_(stmt) {}
  bool is_null(int column) const override {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
  }
  std::int64_t int64(int column) const override { return sqlite3_column_int64(stmt_, column); }
  std::string_view text(int column) const override {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    if (p == nullptr) return {};
    return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
  }

 private:
  sqlite3_stmt* stmt_;
};

// Resets a statement when the execution that used it ends, however it ends.
struct ResetOnExit {
  sqlite3_stmt* stmt;
  ~ResetOnExit() {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
  }
};

}  // namespace

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::open(const std::string& path,
                                                                 Mode mode) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_READWRITE |
                    (mode == Mode::read_write ? SQLITE_OPEN_CREATE : 0);
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string why = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return fail(Error::service_unavailable("cannot open SQLite database " + path + ": " + why));
  }
  sqlite3_extended_result_codes(db, 1);
  std::unique_ptr<SqliteConnection> conn(new SqliteConnection(db));
  // WAL lets readers run beside the one writer; synchronous=FULL makes every
  // COMMIT durable before it is acknowledged.
  const char* pragmas = mode == Mode::read_write
                            ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                              "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;"
                            : "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;"
                              "PRAGMA query_only=1;";
  if (auto s = conn->execute_script(pragmas); !s) return fail(s.error());
  return conn;
}

SqliteConnection::~SqliteConnection() {
  for (auto& [_, p] : statements_) sqlite3_finalize(p.stmt);
  sqlite3_close_v2(db_);
}

Error SqliteConnection::error_from(int rc, std::string_view what) const {
  std::string description = std::string(what) + ": " + sqlite3_errmsg(db_);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_FULL:
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
    case SQLITE_PROTOCOL:
      return Error::service_unavailable(std::move(description));
    default:
      return Error::internal(std::move(description));
  }
}

Result<SqliteConnection::Prepared*> SqliteConnection::prepare(Sql sql) {
  if (auto it = statements_.find(sql.text.data()); it != statements_.end()) return &it->second;
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.text.data(), static_cast<int>(sql.text.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return fail(error_from(rc, "prepare"));
  Prepared p{stmt, {}};
  const int slots = sqlite3_bind_parameter_count(stmt);
  for (int slot = 1; slot <= slots; ++slot) {
    const char* name = sqlite3_bind_parameter_name(stmt, slot);
    int number = 0;
    if (name != nullptr && name[0] == '$') {
      const std::string_view digits(name + 1);
      std::from_chars(digits.data(), digits.data() + digits.size(), number);
    }
    if (number <= 0) {
      sqlite3_finalize(stmt);
      return fail(Error::internal("SQL parameters must be written $1..$n"));
    }
    p.param_numbers.push_back(number);
  }
  return &statements_.emplace(sql.text.data(), std::move(p)).first->second;
}

Result<std::int64_t> SqliteConnection::execute(Sql sql, std::span<const Param> params,
                                               RowCallback on_row) {
  auto prepared = prepare(sql);
  if (!prepared) return fail(prepared.error());
  sqlite3_stmt* stmt = (*prepared)->stmt;
  ResetOnExit reset{stmt};

  const auto& numbers = (*prepared)->param_numbers;
  for (std::size_t slot = 0; slot < numbers.size(); ++slot) {
    const auto index = static_cast<std::size_t>(numbers[slot] - 1);
    if (index >= params.size()) return fail(Error::internal("SQL parameter without a value"));
    const int s = static_cast<int>(slot) + 1;
    int rc = SQLITE_OK;
    const Param& p = params[index];
    if (std::holds_alternative<std::int64_t>(p)) {
      rc = sqlite3_bind_int64(stmt, s, std::get<std::int64_t>(p));
    } else if (std::holds_alternative<std::string_view>(p)) {
      const auto v = std::get<std::string_view>(p);
      rc = sqlite3_bind_text(stmt, s, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    } else {
      rc = sqlite3_bind_null(stmt, s);
    }
    if (rc != SQLITE_OK) return fail(error_from(rc, "bind"));
  }

  SqliteRow row(stmt);
  for (;;) {
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
      if (on_row) on_row(row);
      continue;
    }
    if (rc == SQLITE_DONE) break;
    return fail(error_from(rc, "step"));
  }
  return sqlite3_stmt_readonly(stmt) ? 0 : sqlite3_changes64(db_);
}

Status SqliteConnection::signal(std::string_view channel) {
  // One process: the writer calls this process's listeners after the commit.
  if (std::find(signals_.begin(), signals_.end(), channel) == signals_.end()) {
    signals_.emplace_back(channel);
  }
  return {};
}

Status SqliteConnection::execute_script(std::string_view sql) {
  const std::string text(sql);
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    Error e = error_from(rc, "exec");
    sqlite3_free(message);
    return fail(std::move(e));
  }
  return {};
}

}  // namespace paygate::store
