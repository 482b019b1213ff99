#include "store/postgres/pg_connection.h"

#include <algorithm>
#include <charconv>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace paygate::store {

namespace {

// Rows are read in text format: integers are parsed here, text is borrowed.
class PgRow final : public Row {
 public:
  PgRow(const PGresult* res, int row) : res_(res), row_(row) {}
  bool is_null(int column) const override { return PQgetisnull(res_, row_, column) != 0; }
  std::int64_t int64(int column) const override {
    const auto v = text(column);
    std::int64_t out = 0;
    if (v == "t") return 1;  // a boolean column reads as 1/0, as on SQLite
    std::from_chars(v.data(), v.data() + v.size(), out);
    return out;
  }
  std::string_view text(int column) const override {
    return {PQgetvalue(res_, row_, column),
            static_cast<std::size_t>(PQgetlength(res_, row_, column))};
  }

 private:
  const PGresult* res_;
  int row_;
};

// The connection's notices (e.g. "relation already exists, skipping") are not
// errors; keep them out of stderr.
void ignore_notice(void*, const PGresult*) {}

bool is_unavailable_sqlstate(std::string_view s) {
  // 08: connection exceptions; 57P01-3: the server is shutting down or
  // starting; 57014: the statement timeout ran out (or an operator cancelled
  // it); 53: out of resources (too many connections, disk full).
  return s.starts_with("08") || s.starts_with("57P") || s == "57014" || s.starts_with("53");
}

}  // namespace

bool is_retryable_sqlstate(std::string_view sqlstate) {
  return sqlstate == "40001" || sqlstate == "40P01";
}

Result<std::unique_ptr<PgConnection>> PgConnection::open(const std::string& conninfo,
                                                         std::string_view session) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr) return fail(Error::service_unavailable("cannot allocate a connection"));
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why = PQerrorMessage(conn);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    PQfinish(conn);
    return fail(Error::service_unavailable("cannot connect to PostgreSQL: " + why));
  }
  PQsetNoticeReceiver(conn, ignore_notice, nullptr);
  std::unique_ptr<PgConnection> out(new PgConnection(conninfo, std::string(session), conn));
  if (auto s = out->set_up_session(); !s) return fail(s.error());
  return out;
}

PgConnection::~PgConnection() {
  PQfinish(conn_);
}

bool PgConnection::broken() const {
  return PQstatus(conn_) != CONNECTION_OK;
}

Status PgConnection::reconnect() {
  statements_.clear();
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string why = PQerrorMessage(conn_);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return fail(Error::service_unavailable("cannot connect to PostgreSQL: " + why));
  }
  PQsetNoticeReceiver(conn_, ignore_notice, nullptr);
  return set_up_session();
}

Status PgConnection::set_up_session() {
  // Timestamps are stored as integers, but anything the server formats is UTC.
  if (auto s = execute_script("SET TIME ZONE 'UTC'"); !s) return s;
  return session_.empty() ? Status{} : execute_script(session_);
}

Error PgConnection::error_from(const PGresult* res, std::string_view what) {
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  last_sqlstate_ = state != nullptr ? state : (broken() ? "08006" : "XX000");
  std::string message = res != nullptr ? PQresultErrorMessage(res) : "";
  if (message.empty()) message = PQerrorMessage(conn_);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  std::string description = std::string(what) + ": " + message;
  if (broken() || is_unavailable_sqlstate(last_sqlstate_)) {
    return Error::service_unavailable("PostgreSQL is unavailable: " + description);
  }
  return Error::internal(std::move(description));
}

Result<const std::string*> PgConnection::prepare(Sql sql) {
  if (auto it = statements_.find(sql.text.data()); it != statements_.end()) return &it->second;
  // (Built by appending: g++ 12 -O3 warns falsely about "s" + std::to_string(n).)
  std::string name = "s";
  name += std::to_string(statements_.size());
  const std::string text(sql.text);  // libpq reads to a NUL
  PgResult res(PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr));
  if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) return fail(error_from(res.get(), "prepare"));
  return &statements_.emplace(sql.text.data(), std::move(name)).first->second;
}

namespace {

// Every parameter goes in text format, which libpq reads to a NUL; the server
// knows each one's type from the prepared statement. One buffer holds them
// all, NUL-terminated; offsets[i] is -1 for a NULL.
void bind_params(std::span<const Param> params, BoundParams& out) {
  std::size_t size = 0;
  for (const Param& p : params) {
    if (std::holds_alternative<std::string_view>(p)) size += std::get<std::string_view>(p).size();
    size += 24;
  }
  out.buffer.clear();
  out.buffer.reserve(size);
  out.offsets.assign(params.size(), -1);
  for (std::size_t i = 0; i < params.size(); ++i) {
    const Param& p = params[i];
    if (std::holds_alternative<std::nullptr_t>(p)) continue;
    out.offsets[i] = static_cast<std::ptrdiff_t>(out.buffer.size());
    if (std::holds_alternative<std::int64_t>(p)) {
      char digits[24];
      const auto [end, ec] =
          std::to_chars(digits, digits + sizeof digits, std::get<std::int64_t>(p));
      // The length, bounded where the optimizer can see it (an int64 fits in 20).
      const auto length = std::min(static_cast<std::size_t>(end - digits), sizeof digits);
      out.buffer.append(std::string_view(digits, length));
    } else {
      out.buffer.append(std::get<std::string_view>(p));
    }
    out.buffer.push_back('\0');
  }
}

}  // namespace

void BoundParams::values(std::vector<const char*>& out) const {
  out.assign(offsets.size(), nullptr);
  for (std::size_t i = 0; i < offsets.size(); ++i) {
    if (offsets[i] >= 0) out[i] = buffer.data() + offsets[i];
  }
}

Result<std::int64_t> PgConnection::execute(Sql sql, std::span<const Param> params,
                                           RowCallback on_row) {
  if (statements_left_ == 0) {
    over_limit_ = true;
    return fail(Error::internal("more statements than this connection was allowed"));
  }
  if (statements_left_ > 0) --statements_left_;
  if (replaying_ != nullptr) {
    // The answer came through the pipeline (run_pipelined): hand it over.
    PipelinedRead& read = *std::exchange(replaying_, nullptr);
    if (read.sql != sql.text.data() || read.result == nullptr) {
      over_limit_ = true;  // not the statement that was sent: run it the usual way
      return fail(Error::internal("a pipelined read asked for another statement"));
    }
    return take_result(read.result.get(), on_row);
  }
  auto name = prepare(sql);
  if (!name) return fail(name.error());
  if (recording_ != nullptr) {
    // Sent later, with other reads, in one pipeline (run_pipelined).
    PipelinedRead& read = *std::exchange(recording_, nullptr);
    read.sql = sql.text.data();
    read.statement = *name;
    bind_params(params, read.params);
    return fail(Error::internal("a pipelined read's answer is not there yet"));
  }
  bind_params(params, bound_);
  bound_.values(values_);
  PgResult res(PQexecPrepared(conn_, name.value()->c_str(), static_cast<int>(values_.size()),
                              values_.data(), nullptr, nullptr, 0));
  return take_result(res.get(), on_row);
}

Result<std::int64_t> PgConnection::take_result(const PGresult* res, RowCallback on_row) {
  const auto status = PQresultStatus(res);
  if (status == PGRES_TUPLES_OK) {
    if (on_row) {
      const int rows = PQntuples(res);
      for (int r = 0; r < rows; ++r) on_row(PgRow(res, r));
    }
  } else if (status != PGRES_COMMAND_OK) {
    return fail(error_from(res, "execute"));
  }
  const char* changed = PQcmdTuples(const_cast<PGresult*>(res));
  std::int64_t n = 0;
  if (changed != nullptr && *changed != '\0') {
    std::from_chars(changed, changed + std::char_traits<char>::length(changed), n);
  }
  // SELECT reports its row count here; only changes are wanted.
  const std::string_view tag = PQcmdStatus(const_cast<PGresult*>(res));
  if (tag.starts_with("SELECT")) return 0;
  return n;
}

void PgConnection::record(PipelinedRead& read) {
  read.sql = nullptr;
  read.result.reset();
  recording_ = &read;
}

void PgConnection::replay(PipelinedRead& read) {
  recording_ = nullptr;
  replaying_ = &read;
}

void PgConnection::stop_pipelining() {
  recording_ = nullptr;
  replaying_ = nullptr;
}

// Sends every read's statement, then one Sync, and collects the answers: one
// round trip for all of them. Outside a transaction block the statements up to
// the Sync form one implicit transaction, each with its own snapshot (READ
// COMMITTED); one that fails aborts those after it, which then have no result.
Status PgConnection::run_pipelined(std::span<PipelinedRead* const> reads) {
  if (PQenterPipelineMode(conn_) != 1) return fail(error_from(nullptr, "pipeline"));
  Status sent;
  for (PipelinedRead* read : reads) {
    read->params.values(values_);
    if (PQsendQueryPrepared(conn_, read->statement->c_str(), static_cast<int>(values_.size()),
                            values_.data(), nullptr, nullptr, 0) != 1) {
      sent = fail(error_from(nullptr, "pipeline"));
      break;
    }
  }
  if (sent && PQpipelineSync(conn_) != 1) sent = fail(error_from(nullptr, "pipeline"));
  if (!sent) return abandon_pipeline(std::move(sent));
  for (PipelinedRead* read : reads) {
    read->result.reset(PQgetResult(conn_));
    if (read->result == nullptr) return abandon_pipeline(fail(error_from(nullptr, "pipeline")));
    if (PQresultStatus(read->result.get()) == PGRES_PIPELINE_ABORTED) read->result.reset();
    // Each query's results end with a NULL.
    while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
  }
  for (;;) {
    PgResult res(PQgetResult(conn_));
    if (res == nullptr) return abandon_pipeline(fail(error_from(nullptr, "pipeline")));
    if (PQresultStatus(res.get()) == PGRES_PIPELINE_SYNC) break;
  }
  if (PQexitPipelineMode(conn_) != 1) {
    return abandon_pipeline(fail(error_from(nullptr, "pipeline")));
  }
  return {};
}

// A pipeline that went wrong leaves the session in an unknown state: start a
// fresh one (as reconnect() does) and report why.
Status PgConnection::abandon_pipeline(Status why) {
  (void)reconnect();
  return why;
}

Status PgConnection::signal(std::string_view channel) {
  // Delivered by PostgreSQL when the transaction commits, to every listener.
  static constexpr Sql kNotify{"SELECT pg_notify($1, '')"};
  const Param params[] = {channel};
  return to_status(execute(kNotify, params));
}

Status PgConnection::execute_script(std::string_view sql) {
  const std::string text(sql);
  PgResult res(PQexec(conn_, text.c_str()));
  const auto status = PQresultStatus(res.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
    return fail(error_from(res.get(), "exec"));
  }
  return {};
}

}  // namespace paygate::store
