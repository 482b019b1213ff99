// The storage interface every other layer uses. SQL is written once, with
// $1..$n parameters, and runs on every backend; a backend differs only in how
// it connects, runs transactions and adapts the few dialect differences.
//
// Writes go through submit_write: the backend runs the work inside a
// transaction and calls `done` only once that transaction is durable. Reads go
// through submit_read and never wait for writes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "config/database_url.h"
#include "core/error.h"
#include "metrics/registry.h"
#include "store/function_ref.h"

namespace paygate::store {

enum class Backend { sqlite, postgres };

// One bound parameter. Text is borrowed: it must outlive the execute() call.
using Param = std::variant<std::nullptr_t, std::int64_t, std::string_view>;

// One statement's SQL. Statements are prepared once per connection and kept,
// keyed by the address of their text, so the text must be a string literal
// (or otherwise live as long as the program).
struct Sql {
  std::string_view text;
};

// The current row of a result, valid only inside the row callback.
class Row {
 public:
  virtual ~Row() = default;
  virtual bool is_null(int column) const = 0;
  virtual std::int64_t int64(int column) const = 0;
  virtual std::string_view text(int column) const = 0;
  std::string string(int column) const { return std::string(text(column)); }
  std::optional<std::string> optional_string(int column) const {
    if (is_null(column)) return std::nullopt;
    return string(column);
  }
  std::optional<std::int64_t> optional_int64(int column) const {
    if (is_null(column)) return std::nullopt;
    return int64(column);
  }
};

// A nullable column's parameter: NULL when the value is absent.
inline Param nullable(const std::optional<std::string>& v) {
  return v ? Param(std::string_view(*v)) : Param(nullptr);
}
inline Param nullable(const std::optional<std::int64_t>& v) {
  return v ? Param(*v) : Param(nullptr);
}

using RowCallback = FunctionRef<void(const Row&)>;

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Backend backend() const = 0;
  // Runs one statement, calling on_row for each row it returns. Returns the
  // number of rows the statement inserted, updated or deleted.
  virtual Result<std::int64_t> execute(Sql sql, std::span<const Param> params,
                                       RowCallback on_row = {}) = 0;
  // Runs SQL text with no parameters and no result (schema changes, pragmas).
  virtual Status execute_script(std::string_view sql) = 0;
  // Which of a running total's rows this connection adds to. Backends whose
  // writers run side by side give each writer its own, so that they never
  // wait on one another's totals; SQLite's single writer has one.
  virtual std::int64_t shard() const { return 0; }
  // Signals `channel` when this transaction commits: Database::listen's
  // callbacks run then, in every process that listens (PostgreSQL) or in this
  // one (SQLite). A transaction that rolls back may still signal: a listener
  // treats a signal as "look again", never as a fact.
  virtual Status signal(std::string_view channel) = 0;
};

// Work runs on a database thread with a connection inside a transaction. An
// error from it rolls back what it did (and only what it did).
using Work = FunctionRef<Status(Connection&)>;
using Done = std::move_only_function<void(Status)>;

// Work waiting for a database thread, and how much may wait before more is
// refused with SERVICE_UNAVAILABLE.
struct QueueDepth {
  std::size_t queued = 0;
  std::size_t limit = 0;
  bool full() const { return queued >= limit; }
};

// What the database's health check found. Kept apart, because each asks for
// a different fix: a server that is down, a lock held elsewhere, too much load.
enum class DatabaseHealth {
  ok,
  unreachable,        // no connection (PostgreSQL down or refusing; the SQLite file gone)
  statement_timeout,  // reachable, but the probe ran past the statement timeout
  overloaded,         // the probe could not be queued: the reads queue is full
  failing,            // reachable, but the probe failed otherwise (the log says why)
};

struct HealthReport {
  DatabaseHealth database = DatabaseHealth::ok;
  Status outcome;     // the probe's, for the log
  QueueDepth writes;  // as the probe was queued
  QueueDepth reads;
};
using HealthDone = std::move_only_function<void(HealthReport)>;

class Database {
 public:
  virtual ~Database() = default;

  virtual Backend backend() const = 0;
  // Queues work for the writer. `done` is called once, from a database thread,
  // after the transaction that ran it committed durably (or failed). `work`
  // must stay alive until then.
  virtual void submit_write(Work work, Done done) = 0;
  // Runs read-only work on a reader connection; `done` as for submit_write.
  virtual void submit_read(Work work, Done done) = 0;
  // Applies the migrations not yet applied; safe to run again.
  virtual Status migrate() = 0;
  // Checks that the database can be used right now: done gets what was
  // found (from a database thread, or at once when the probe is refused).
  virtual void submit_health_check(HealthDone done) = 0;
  // Finishes queued work, then closes every connection. Idempotent.
  virtual void stop() = 0;
  // Calls on_notify, from a database thread, whenever a transaction that
  // signalled `channel` commits (in any process), and after a lost
  // connection is back (signals may have been missed). Backends without
  // notifications (SQLite: one process) ignore it. Until stop().
  virtual void listen(std::string_view /*channel*/, std::function<void()> /*on_notify*/) {}
};

struct DatabaseOptions {
  int readers = 2;
  int pool_size = 8;  // PostgreSQL: connections (and threads) for writes
  // PostgreSQL: a statement that runs longer (e.g. kept waiting by a lock) is
  // cancelled and answers SERVICE_UNAVAILABLE; 0: no limit. Not migrations.
  int statement_timeout_ms = 10'000;
  int max_batch = 512;  // most writes committed together
  // Work waiting for a database thread; beyond this, submit answers
  // SERVICE_UNAVAILABLE (503, Retry-After) at once, so that memory and
  // latency stay bounded under any load.
  std::size_t max_queued_writes = 10'000;
  std::size_t max_queued_reads = 10'000;
  // Where a backend reports its commits, when set: seconds per COMMIT and
  // writes per committed transaction.
  metrics::Histogram* commit_seconds = nullptr;
  metrics::Histogram* commit_batch_size = nullptr;
  // Reads sent together (PostgreSQL's pipelines), when set.
  metrics::Histogram* read_batch_size = nullptr;
};

// Opens the database a URL names; a clear error when it cannot.
Result<std::unique_ptr<Database>> open_database(const DatabaseUrl& url,
                                                const DatabaseOptions& options);

// The first row of a query as a T made by from_row(row), if there is a row.
template <class FromRow>
auto query_one(Connection& conn, Sql sql, std::span<const Param> params, FromRow from_row)
    -> Result<std::optional<std::invoke_result_t<FromRow&, const Row&>>> {
  std::optional<std::invoke_result_t<FromRow&, const Row&>> found;
  auto r = conn.execute(sql, params, [&](const Row& row) {
    if (!found) found = from_row(row);
  });
  if (!r) return fail(r.error());
  return found;
}

// Every row of a query, each made by from_row(row).
template <class FromRow>
auto query_all(Connection& conn, Sql sql, std::span<const Param> params, FromRow from_row)
    -> Result<std::vector<std::invoke_result_t<FromRow&, const Row&>>> {
  std::vector<std::invoke_result_t<FromRow&, const Row&>> out;
  auto r = conn.execute(sql, params, [&](const Row& row) { out.push_back(from_row(row)); });
  if (!r) return fail(r.error());
  return out;
}

// The outcome of an UPDATE ... WHERE id = ? AND version = <the version read>:
// Error::conflict when it changed no row, i.e. another transaction changed
// the row since it was read (`what` names it, e.g. "payment pay_...").
Status expect_one_updated(Result<std::int64_t> updated, std::string_view what);

// Blocking helpers for the command line and tests (never on an I/O thread).
Status write_sync(Database& db, Work work);
Status read_sync(Database& db, Work work);

}  // namespace paygate::store
