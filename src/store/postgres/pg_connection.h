// One PostgreSQL connection, used by one thread at a time, with its prepared
// statements kept for reuse (keyed, as on SQLite, by the address of the SQL).
// A connection that broke is reopened by reconnect(); its statements are
// prepared again on first use.
#pragma once

#include <libpq-fe.h>

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/database.h"

namespace paygate::store {

struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

// A statement's parameters as libpq takes them (see bind_params).
struct BoundParams {
  std::string buffer;
  std::vector<std::ptrdiff_t> offsets;
  // Where each value starts (nullptr for NULL), into out.
  void values(std::vector<const char*>& out) const;
};

// One read sent in a pipeline with others (PgConnection::run_pipelined): the
// statement its work asked for first, and then the answer.
struct PipelinedRead {
  const char* sql = nullptr;               // the Sql's text address; nullptr: none asked for
  const std::string* statement = nullptr;  // its prepared statement's name
  BoundParams params;
  PgResult result;  // null when the pipeline was aborted before it
};

class PgConnection final : public Connection {
 public:
  // conninfo: a libpq connection string or URL. session: SQL run on every
  // (re)connect after paygate's own settings (UTC), e.g. SET commands.
  static Result<std::unique_ptr<PgConnection>> open(const std::string& conninfo,
                                                    std::string_view session = {});
  ~PgConnection() override;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  Backend backend() const override { return Backend::postgres; }
  Result<std::int64_t> execute(Sql sql, std::span<const Param> params,
                               RowCallback on_row = {}) override;
  Status execute_script(std::string_view sql) override;
  Status signal(std::string_view channel) override;

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
  // Lets at most n more statements run (-1: no limit). One more is refused
  // unsent, with an error, and marks over_limit(): how a read that was tried
  // as a single statement finds out that it needs a transaction.
  void limit_statements(int n) {
    statements_left_ = n;
    over_limit_ = false;
  }
  bool over_limit() const { return over_limit_; }

  // Reads pipelined by PgDatabase: record(read) makes the next execute()
  // prepare its statement, keep it in `read` and fail without sending it;
  // run_pipelined() sends the kept statements together and keeps their
  // answers; replay(read) makes the next execute() answer from `read`.
  void record(PipelinedRead& read);
  void replay(PipelinedRead& read);
  void stop_pipelining();
  Status run_pipelined(std::span<PipelinedRead* const> reads);
  std::int64_t shard() const override { return shard_; }
  void set_shard(std::int64_t shard) { shard_ = shard; }
  // The socket, to wait for notifications on (LISTEN).
  int socket() const { return PQsocket(conn_); }
  PGconn* raw() { return conn_; }

 private:
  PgConnection(std::string conninfo, std::string session, PGconn* conn)
      : conninfo_(std::move(conninfo)), session_(std::move(session)), conn_(conn) {}
  Status set_up_session();
  Result<const std::string*> prepare(Sql sql);
  Result<std::int64_t> take_result(const PGresult* res, RowCallback on_row);
  Status abandon_pipeline(Status why);
  Error error_from(const PGresult* res, std::string_view what);

  const std::string conninfo_;
  const std::string session_;
  PGconn* conn_;
  int statements_left_ = -1;
  PipelinedRead* recording_ = nullptr;
  PipelinedRead* replaying_ = nullptr;
  // Reused by execute(): no allocation per statement once warm.
  BoundParams bound_;
  std::vector<const char*> values_;
  std::int64_t shard_ = 0;
  bool over_limit_ = false;
  std::unordered_map<const char*, std::string> statements_;  // SQL address -> statement name
  std::string last_sqlstate_;
};

// True for the SQLSTATEs worth running a transaction again for:
// serialization failure (40001) and deadlock (40P01).
bool is_retryable_sqlstate(std::string_view sqlstate);

}  // namespace paygate::store
