// One PostgreSQL connection, used by one thread at a time, with its prepared
// statements kept for reuse (keyed, as on SQLite, by the address of the SQL).
// A connection that broke is reopened by reconnect(); its statements are
// prepared again on first use.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <unordered_map>

#include "store/database.h"

namespace paygate::store {

class PgConnection final : public Connection {
 public:
  // conninfo: a libpq connection string or URL.
  static Result<std::unique_ptr<PgConnection>> open(const std::string& conninfo);
  ~PgConnection() override;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  Backend backend() const override { return Backend::postgres; }
  Result<std::int64_t> execute(Sql sql, std::span<const Param> params,
                               RowCallback on_row = {}) override;
  Status execute_script(std::string_view sql) override;

  // The SQLSTATE of the last statement that failed ("" when none failed since
  // clear_error()).
  const std::string& last_sqlstate() const { return last_sqlstate_; }
  void clear_error() { last_sqlstate_.clear(); }
  // True inside a transaction block that has not failed (BEGIN was run).
  bool in_transaction() const { return PQtransactionStatus(conn_) == PQTRANS_INTRANS; }
  // True when the server connection is gone and must be reopened.
  bool broken() const;
  // Reopens the connection (a fresh session: no prepared statements).
  Status reconnect();
  // The socket, to wait for notifications on (LISTEN).
  int socket() const { return PQsocket(conn_); }
  PGconn* raw() { return conn_; }

 private:
  PgConnection(std::string conninfo, PGconn* conn) : conninfo_(std::move(conninfo)), conn_(conn) {}
  Result<const std::string*> prepare(Sql sql);
  Error error_from(const PGresult* res, std::string_view what);

  const std::string conninfo_;
  PGconn* conn_;
  std::unordered_map<const char*, std::string> statements_;  // SQL address -> statement name
  std::string last_sqlstate_;
};

// True for the SQLSTATEs worth running a transaction again for:
// serialization failure (40001) and deadlock (40P01).
bool is_retryable_sqlstate(std::string_view sqlstate);

}  // namespace paygate::store
