#include "store/postgres/pg_database.h"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <random>

#include "core/thread_name.h"
#include "store/migrations.h"

namespace paygate::store {

namespace {

constexpr int kMaxAttempts = 5;       // a transaction hit by serialization failures/deadlocks
constexpr int kRetryConnectMs = 250;  // how long a failed connect is trusted

constexpr Sql kBegin{"BEGIN"};
// The most writes run in one transaction, and how long one of a batch may wait
// for a row lock before the batch gives up and its writes run one by one.
constexpr std::size_t kMaxBatch = 16;
// The most reads sent in one pipeline.
constexpr std::size_t kMaxReadBatch = 32;
// Rows a running total is spread over (Connection::shard()).
constexpr std::int64_t kStatsShards = 64;
constexpr Sql kBatchLockTimeout{"SET LOCAL lock_timeout = '50ms'"};
constexpr Sql kSavepoint{"SAVEPOINT batched_write"};
constexpr Sql kRollbackToSavepoint{"ROLLBACK TO SAVEPOINT batched_write"};
constexpr std::string_view kLockNotAvailable{"55P03"};  // lock_timeout ran out
constexpr Sql kBeginRead{"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"};
// Each connection ends a transaction and begins the next one in the same
// round trip: an idle BEGIN holds no snapshot and no lock (those are taken by
// the first statement), and it saves a round trip per piece of work.
constexpr std::string_view kCommitBegin{"COMMIT; BEGIN"};
constexpr std::string_view kRollbackBegin{"ROLLBACK; BEGIN"};
// A reader's session: a read that runs as a lone statement (no BEGIN) is
// read-only all the same.
constexpr std::string_view kReaderSession{"SET default_transaction_read_only = on"};
// The SQL that sets up each connection's session. The statement timeout is
// SET rather than passed in the startup packet's options, which connection
// poolers such as PgBouncer refuse; it overrides the role's and database's.
std::string session_sql(const DatabaseOptions& options, bool writes) {
  std::string sql;
  if (options.statement_timeout_ms > 0) {
    sql = "SET statement_timeout = " + std::to_string(options.statement_timeout_ms);
  }
  if (!writes) sql += (sql.empty() ? "" : "; ") + std::string(kReaderSession);
  return sql;
}
constexpr Sql kHealth{"SELECT count(*) FROM schema_migrations"};
constexpr Sql kLockMigrations{"SELECT pg_advisory_xact_lock($1)"};
// Migrations may wait for the lock while another process migrates, and may
// rebuild an index over a large table: no statement timeout for them.
constexpr Sql kNoStatementTimeout{"SET LOCAL statement_timeout = 0"};

std::int64_t steady_now() {
  return std::chrono::steady_clock::now().time_since_epoch().count();
}

}  // namespace

std::string pg_conninfo(const DatabaseUrl& url) {
  // A URL accepts libpq's parameters as a query; add the ones paygate relies
  // on unless the operator set them: a bounded connect, and keepalives so a
  // dead peer is noticed.
  std::string out = url.text;
  const bool has_query = out.find('?') != std::string::npos;
  std::string extra;
  auto add = [&](std::string_view key, std::string_view value) {
    if (out.find(std::string(key) + "=") != std::string::npos) return;
    extra += extra.empty() && !has_query ? "?" : "&";
    extra += std::string(key) + "=" + std::string(value);
  };
  add("connect_timeout", "3");
  add("application_name", "paygate");
  add("keepalives_idle", "10");
  add("keepalives_interval", "5");
  add("keepalives_count", "3");
  return out + extra;
}

Result<std::unique_ptr<PgDatabase>> PgDatabase::open(const DatabaseUrl& url,
                                                     const DatabaseOptions& options) {
  const std::string conninfo = pg_conninfo(url);
  // One connection now, so that a wrong URL or a server that is not there is
  // reported at start; the others are opened by their threads.
  auto first = PgConnection::open(conninfo, session_sql(options, true));
  if (!first) return fail(first.error());
  std::unique_ptr<PgDatabase> db(new PgDatabase(conninfo, options));
  const int writers = std::max(1, options.pool_size);
  const int readers = std::max(1, options.readers);
  // Each writer adds to running totals in rows of its own, so that writers
  // never wait on (or deadlock over) one another's totals; the offset keeps
  // other processes' writers mostly on other rows too.
  const std::int64_t first_shard = std::random_device{}() % kStatsShards;
  for (int i = 0; i < writers; ++i) {
    std::unique_ptr<PgConnection> conn = i == 0 ? std::move(*first) : nullptr;
    const std::int64_t shard = (first_shard + i) % kStatsShards;
    db->threads_.push_back(
        named_thread("pg-writer", [d = db.get(), c = std::move(conn), shard]() mutable {
          d->run(d->writes_, true, std::move(c), shard);
        }));
  }
  for (int i = 0; i < readers; ++i) {
    db->threads_.push_back(
        named_thread("pg-reader", [d = db.get()] { d->run(d->reads_, false, nullptr, 0); }));
  }
  return db;
}

PgDatabase::PgDatabase(std::string conninfo, DatabaseOptions options)
    : conninfo_(std::move(conninfo)), options_(options) {}

PgDatabase::~PgDatabase() {
  stop();
}

void PgDatabase::stop() {
  std::call_once(stopped_, [this] {
    stopping_ = true;
    close_queue(writes_);
    close_queue(reads_);
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  });
}

void PgDatabase::submit_write(Work work, Done done) {
  enqueue(writes_, options_.max_queued_writes, "writes", work, std::move(done));
}
void PgDatabase::submit_read(Work work, Done done) {
  enqueue(reads_, options_.max_queued_reads, "reads", work, std::move(done));
}

Status PgDatabase::ensure_connected(std::unique_ptr<PgConnection>& conn, bool writes) {
  if (conn && !conn->broken()) return {};
  if (steady_now() < down_until_.load()) {
    return fail(Error::service_unavailable("PostgreSQL is unavailable (reconnecting)"));
  }
  Status s;
  if (conn) {
    s = conn->reconnect();
  } else {
    auto opened = PgConnection::open(conninfo_, session_sql(options_, writes));
    if (opened) {
      conn = std::move(*opened);
    } else {
      s = fail(opened.error());
    }
  }
  if (!s) {
    down_until_.store(steady_now() +
                      std::chrono::nanoseconds(std::chrono::milliseconds(kRetryConnectMs)).count());
    spdlog::warn("database: {}", s.error().description);
    return s;
  }
  down_until_.store(0);
  return {};
}

void PgDatabase::run(Queue& queue, bool writes, std::unique_ptr<PgConnection> conn,
                     std::int64_t shard) {
  std::vector<Task> batch;
  for (;;) {
    batch.clear();
    {
      std::unique_lock lock(queue.mutex);
      queue.ready.wait(lock, [&] { return queue.stopping || !queue.tasks.empty(); });
      if (queue.tasks.empty()) return;  // stopping, and everything queued was done
      // Writes that are waiting together are committed together (run_writes),
      // reads sent together (run_reads).
      const std::size_t take = std::min(queue.tasks.size(), writes ? kMaxBatch : kMaxReadBatch);
      for (std::size_t i = 0; i < take; ++i) {
        batch.push_back(std::move(queue.tasks.front()));
        queue.tasks.pop_front();
      }
    }
    Status outcome = ensure_connected(conn, writes);
    // A connection that broke while idle (the server restarted) is only found
    // out by using it: BEGIN failing that way is safe to retry once, fresh.
    if (outcome && writes && !conn->in_transaction()) {
      outcome = to_status(conn->execute(kBegin, {}));
      if (!outcome && conn->broken()) {
        outcome = ensure_connected(conn, writes);
        if (outcome) outcome = to_status(conn->execute(kBegin, {}));
      }
    }
    if (outcome) conn->set_shard(shard);
    if (!outcome) {
      for (Task& t : batch) t.done(outcome);
    } else if (writes) {
      run_writes(*conn, batch);
    } else {
      run_reads(*conn, batch);
    }
  }
}

// Reads that were waiting together go to PostgreSQL in one pipeline: one
// round trip, and one wake-up of its backend, for all of them. Each work runs
// twice: first to learn its statement (the connection keeps it and fails the
// work), then, once the answers are in, on its answer. A work that wants a
// second statement, or whose statement the pipeline did not answer, runs the
// usual way (run_read). Work only reads, and store::read keeps only its last
// run's result, so running it again is harmless.
void PgDatabase::run_reads(PgConnection& conn, std::span<Task> batch) {
  if (batch.size() > 1) {
    std::vector<PipelinedRead> reads(batch.size());
    std::vector<PipelinedRead*> sending;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      conn.record(reads[i]);
      Status outcome = run_guarded(batch[i].work, conn);
      conn.stop_pipelining();
      if (reads[i].sql != nullptr) {
        sending.push_back(&reads[i]);
      } else if (!conn.broken()) {
        answer(batch[i], std::move(outcome));  // it asked nothing of the database
      }  // else preparing its statement found the connection dead: run_read reopens it
    }
    if (!sending.empty() && options_.read_batch_size != nullptr) {
      options_.read_batch_size->observe(static_cast<double>(sending.size()));
    }
    if (!sending.empty() && conn.run_pipelined(sending)) {
      for (std::size_t i = 0; i < batch.size(); ++i) {
        if (!batch[i].done || reads[i].result == nullptr) continue;
        conn.limit_statements(1);
        conn.replay(reads[i]);
        Status outcome = run_guarded(batch[i].work, conn);
        const bool more = conn.over_limit();
        conn.stop_pipelining();
        conn.limit_statements(-1);
        if (!more) answer(batch[i], std::move(outcome));
      }
    }
  }
  for (Task& t : batch) {
    if (t.done) answer(t, run_read(conn, t.work));
  }
}

// Writes that were waiting together run in one transaction with one COMMIT:
// one round trip and one WAL flush for all of them instead of one each. When
// one of them fails, the batch is rolled back and run again with each write
// in a savepoint, so that a refused write is rolled back alone and the others
// still commit together. A write that hit a conflict, a deadlock or a lock
// awaited longer than kBatchLockTimeout (two batches may take the same rows in
// opposite orders) then runs on its own, as does every write of a batch that
// could not commit. No write's outcome depends on another's.
void PgDatabase::run_writes(PgConnection& conn, std::span<Task> batch) {
  if (batch.size() > 1 && !commit_together(conn, batch, false)) {
    if (!conn.broken()) {
      commit_together(conn, batch, true);
    } else if (auto s = conn.reconnect(); !s) {
      // Nothing was committed; one reconnect for the batch, not one per write.
      for (Task& t : batch) answer(t, s);
      return;
    }
  }
  for (Task& t : batch) {
    if (t.done) answer(t, run_write(conn, t.work));
  }
}

void PgDatabase::answer(Task& task, Status outcome) {
  auto done = std::move(task.done);
  task.done = nullptr;
  done(std::move(outcome));
}

// One pass of run_writes: true when the batch committed, every write of it
// answered but those left to run on their own. False when nothing of it was
// committed (and the connection is rolled back, unless broken).
bool PgDatabase::commit_together(PgConnection& conn, std::span<Task> batch, bool savepoints) {
  const auto give_up = [&] {
    if (!conn.broken()) (void)conn.execute_script(kRollbackBegin);
    return false;
  };
  conn.clear_error();
  if (!conn.in_transaction() && !conn.execute(kBegin, {})) return give_up();
  if (!conn.execute(kBatchLockTimeout, {})) return give_up();
  std::vector<std::optional<Error>> refused(batch.size());
  std::vector<bool> alone(batch.size(), false);
  std::size_t committing = 0;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (savepoints && !conn.execute(kSavepoint, {})) return give_up();
    Status outcome = run_guarded(batch[i].work, conn);
    if (outcome) {
      ++committing;
      continue;
    }
    if (!savepoints || conn.broken()) return give_up();
    const bool transient = outcome.error().write_conflict ||
                           is_retryable_sqlstate(conn.last_sqlstate()) ||
                           conn.last_sqlstate() == kLockNotAvailable;
    if (!conn.execute(kRollbackToSavepoint, {})) return give_up();
    conn.clear_error();
    if (transient) {
      alone[i] = true;
    } else {
      refused[i] = std::move(outcome.error());
    }
  }
  auto committed = commit(conn, committing);
  if (!committed && !conn.broken()) return false;  // COMMIT failed: nothing was written
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (alone[i]) continue;
    // A broken connection leaves whether the COMMIT landed unknown, as for
    // a single write.
    answer(batch[i], refused[i]  ? fail(std::move(*refused[i]))
                     : committed ? Status{}
                                 : fail(committed.error()));
  }
  return true;
}

// COMMITs the transaction and begins the next one, in one round trip.
Status PgDatabase::commit(PgConnection& conn, std::size_t writes) {
  const auto committing = std::chrono::steady_clock::now();
  auto committed = conn.execute_script(kCommitBegin);
  if (!committed) return committed;
  if (options_.commit_seconds != nullptr) {
    options_.commit_seconds->observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - committing).count());
  }
  if (options_.commit_batch_size != nullptr) {
    options_.commit_batch_size->observe(static_cast<double>(writes));
  }
  return {};
}

// Runs work in a transaction of its own (the one the connection began, or a
// new one), then COMMITs; a serialization failure, deadlock or stale row
// (Error::write_conflict: the transaction runs at READ COMMITTED, so an
// UPDATE checks that the row is still the version it read) runs it again.
Status PgDatabase::run_write(PgConnection& conn, Work work) {
  thread_local std::minstd_rand jitter{std::random_device{}()};
  for (int attempt = 1;; ++attempt) {
    conn.clear_error();
    Status outcome = conn.in_transaction() ? Status{} : to_status(conn.execute(kBegin, {}));
    if (outcome) outcome = run_guarded(work, conn);
    if (outcome) {
      outcome = commit(conn, 1);
      if (outcome) return {};
    } else if (!conn.broken()) {
      (void)conn.execute_script(kRollbackBegin);
    } else if (attempt == 1 && conn.reconnect()) {
      // The connection had died while idle (the server restarted) and the
      // work's first statement found out: no COMMIT was sent, so nothing was
      // written; run it again on the fresh connection.
      continue;
    }
    const bool retryable =
        outcome.error().write_conflict || is_retryable_sqlstate(conn.last_sqlstate());
    if (conn.broken() || !retryable || attempt == kMaxAttempts) return outcome;
    // Another transaction won a conflict: try again after a short, random
    // pause so that the two do not collide again in lockstep.
    std::this_thread::sleep_for(std::chrono::microseconds(jitter() % (1000 * attempt)));
  }
}

// Most reads are one statement, and a statement on its own runs in one
// snapshot: it is sent alone, one round trip where BEGIN ... COMMIT around it
// would make two. A read whose second statement is refused (unsent) needs a
// snapshot across statements: it runs again from the start inside one
// REPEATABLE READ READ ONLY transaction. (Work only reads, and store::read
// keeps only its last run's result, so running it twice is harmless.)
Status PgDatabase::run_read(PgConnection& conn, Work work) {
  Status outcome;
  bool needs_snapshot = false;
  for (int attempt = 1;; ++attempt) {
    conn.limit_statements(1);
    outcome = run_guarded(work, conn);
    needs_snapshot = conn.over_limit();
    conn.limit_statements(-1);
    // A connection that died while idle (see run_write): once more, fresh.
    if (needs_snapshot || outcome || !conn.broken() || attempt == 2 || !conn.reconnect()) break;
  }
  if (!needs_snapshot) return outcome;
  outcome = to_status(conn.execute(kBeginRead, {}));
  if (outcome) outcome = run_guarded(work, conn);
  if (!conn.broken()) (void)conn.execute_script(outcome ? "COMMIT" : "ROLLBACK");
  return outcome;
}

Status PgDatabase::migrate() {
  // Several processes may start at once: the first to take the lock applies
  // the migrations, the others wait for it and then find nothing to do. The
  // lock is released with the transaction.
  return write_sync(*this, [](Connection& conn) -> Status {
    const Param key[] = {kMigrationLock};
    if (auto r = conn.execute(kNoStatementTimeout, {}); !r) return fail(r.error());
    if (auto r = conn.execute(kLockMigrations, key); !r) return fail(r.error());
    return apply_migrations(conn, Backend::postgres);
  });
}

void PgDatabase::listen(std::string_view channel, std::function<void()> on_notify) {
  threads_.push_back(named_thread(
      "pg-listener",
      [this, ch = std::string(channel), cb = std::move(on_notify)] { run_listener(ch, cb); }));
}

// One connection of its own, LISTENing, waiting on its socket. It wakes every
// kListenTickMs to notice stop() and reconnects after a lost connection.
void PgDatabase::run_listener(const std::string& channel, const std::function<void()>& on_notify) {
  constexpr int kListenTickMs = 200;
  std::unique_ptr<PgConnection> conn;
  bool listening = false;
  while (!stopping_) {
    if (!listening || !conn || conn->broken()) {
      listening = false;
      Status s = conn ? conn->reconnect() : Status{};
      if (!conn) {
        auto opened = PgConnection::open(conninfo_);
        if (opened) {
          conn = std::move(*opened);
        } else {
          s = fail(opened.error());
        }
      }
      if (s) s = conn->execute_script("LISTEN " + channel);
      if (!s) {
        std::this_thread::sleep_for(std::chrono::milliseconds(kListenTickMs));
        continue;
      }
      listening = true;
      on_notify();  // anything signalled while we were not listening
    }
    pollfd p{conn->socket(), POLLIN, 0};
    if (::poll(&p, 1, kListenTickMs) <= 0) continue;
    if (PQconsumeInput(conn->raw()) == 0) {
      listening = false;
      continue;
    }
    bool signalled = false;
    while (PGnotify* n = PQnotifies(conn->raw())) {
      signalled = true;
      PQfreemem(n);
    }
    if (signalled) on_notify();
  }
}

// The probe keeps the SQLSTATE of its statement: a statement that ran past
// statement_timeout (57014) says PostgreSQL is there but something holds it
// up, which is not the same problem as a server that cannot be reached.
void PgDatabase::submit_health_check(HealthDone done) {
  struct Probe {
    bool ran = false;  // a connection was there to run it
    std::string sqlstate;
    std::function<Status(Connection&)> work;
  };
  auto probe = std::make_shared<Probe>();
  probe->work = [p = probe.get()](Connection& conn) -> Status {
    p->ran = true;
    auto counted = conn.execute(kHealth, {});
    p->sqlstate = counted ? "" : static_cast<PgConnection&>(conn).last_sqlstate();
    return to_status(std::move(counted));
  };
  HealthReport report;
  report.writes = depth(writes_, options_.max_queued_writes);
  report.reads = depth(reads_, options_.max_queued_reads);
  Work work(probe->work);
  submit_read(work, [this, probe, report = std::move(report),
                     done = std::move(done)](Status outcome) mutable {
    const std::string_view state = probe->sqlstate;
    if (outcome) {
      report.database = DatabaseHealth::ok;
    } else if (!probe->ran) {
      // Refused before it ran: the queue was full, or no connection.
      report.database = DatabaseHealth::unreachable;
      if (depth(reads_, options_.max_queued_reads).full()) {
        report.database = DatabaseHealth::overloaded;
      } else if (stopping_) {
        report.database = DatabaseHealth::failing;
      }
    } else if (state == "57014") {
      report.database = DatabaseHealth::statement_timeout;
    } else if (state.starts_with("08") || state.starts_with("57P")) {
      report.database = DatabaseHealth::unreachable;
    } else {
      report.database = DatabaseHealth::failing;
    }
    report.outcome = std::move(outcome);
    done(std::move(report));
  });
}

}  // namespace paygate::store
