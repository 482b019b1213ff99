#include "store/postgres/pg_database.h"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <random>

#include "store/migrations.h"

namespace paygate::store {

namespace {

constexpr int kMaxAttempts = 5;       // a transaction hit by serialization failures/deadlocks
constexpr int kRetryConnectMs = 250;  // how long a failed connect is trusted
constexpr std::int64_t kMigrationLock = 0x7061796761746531;  // "paygate1"

constexpr Sql kBegin{"BEGIN"};
constexpr Sql kBeginRead{"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"};
// Each connection ends a transaction and begins the next one in the same
// round trip: an idle BEGIN holds no snapshot and no lock (those are taken by
// the first statement), and it saves a round trip per piece of work.
constexpr std::string_view kCommitBegin{"COMMIT; BEGIN"};
constexpr std::string_view kRollbackBegin{"ROLLBACK; BEGIN"};
// COMMIT of a read-only snapshot (a ROLLBACK when the work's statement failed).
constexpr std::string_view kEndBeginRead{"COMMIT; BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"};
constexpr Sql kHealth{"SELECT count(*) FROM schema_migrations"};
constexpr Sql kLockMigrations{"SELECT pg_advisory_xact_lock($1)"};

Status run_guarded(Work work, Connection& conn) {
  try {
    return work(conn);
  } catch (const std::exception& e) {
    return fail(Error::internal(std::string("unexpected exception: ") + e.what()));
  } catch (...) {
    return fail(Error::internal("unexpected exception"));
  }
}

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
  auto first = PgConnection::open(conninfo);
  if (!first) return fail(first.error());
  std::unique_ptr<PgDatabase> db(new PgDatabase(conninfo, options));
  const int writers = std::max(1, options.pool_size);
  const int readers = std::max(1, options.readers);
  for (int i = 0; i < writers; ++i) {
    std::unique_ptr<PgConnection> conn = i == 0 ? std::move(*first) : nullptr;
    db->threads_.emplace_back(
        [d = db.get(), c = std::move(conn)]() mutable { d->run(d->writes_, true, std::move(c)); });
  }
  for (int i = 0; i < readers; ++i) {
    db->threads_.emplace_back([d = db.get()] { d->run(d->reads_, false, nullptr); });
  }
  return db;
}

PgDatabase::PgDatabase(std::string conninfo, DatabaseOptions options)
    : conninfo_(std::move(conninfo)),
      options_(options),
      health_probe_([](Connection& conn) { return to_status(conn.execute(kHealth, {})); }) {}

PgDatabase::~PgDatabase() {
  stop();
}

void PgDatabase::stop() {
  std::call_once(stopped_, [this] {
    stopping_ = true;
    for (Queue* q : {&writes_, &reads_}) {
      std::lock_guard lock(q->mutex);
      q->stopping = true;
      q->ready.notify_all();
    }
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  });
}

void PgDatabase::submit(Queue& queue, Work work, Done done) {
  {
    std::lock_guard lock(queue.mutex);
    if (!queue.stopping) {
      queue.tasks.push_back(Task{work, std::move(done)});
      queue.ready.notify_one();
      return;
    }
  }
  done(fail(Error::service_unavailable("the database is shutting down")));
}

void PgDatabase::submit_write(Work work, Done done) {
  submit(writes_, work, std::move(done));
}
void PgDatabase::submit_read(Work work, Done done) {
  submit(reads_, work, std::move(done));
}

Status PgDatabase::ensure_connected(std::unique_ptr<PgConnection>& conn) {
  if (conn && !conn->broken()) return {};
  if (steady_now() < down_until_.load()) {
    return fail(Error::service_unavailable("PostgreSQL is unavailable (reconnecting)"));
  }
  Status s;
  if (conn) {
    s = conn->reconnect();
  } else {
    auto opened = PgConnection::open(conninfo_);
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

void PgDatabase::run(Queue& queue, bool writes, std::unique_ptr<PgConnection> conn) {
  for (;;) {
    Task task;
    {
      std::unique_lock lock(queue.mutex);
      queue.ready.wait(lock, [&] { return queue.stopping || !queue.tasks.empty(); });
      if (queue.tasks.empty()) return;  // stopping, and everything queued was done
      task = std::move(queue.tasks.front());
      queue.tasks.pop_front();
    }
    Status outcome = ensure_connected(conn);
    // A connection that broke while idle (the server restarted) is only found
    // out by using it: BEGIN failing that way is safe to retry once, fresh.
    if (outcome && !conn->in_transaction()) {
      outcome = to_status(conn->execute(writes ? kBegin : kBeginRead, {}));
      if (!outcome && conn->broken()) {
        outcome = ensure_connected(conn);
        if (outcome) outcome = to_status(conn->execute(writes ? kBegin : kBeginRead, {}));
      }
    }
    if (outcome) outcome = writes ? run_write(*conn, task.work) : run_read(*conn, task.work);
    task.done(std::move(outcome));
  }
}

// Runs work in the transaction the caller began, then COMMITs; a
// serialization failure, deadlock or stale row (Error::write_conflict: the
// transaction runs at READ COMMITTED, so an UPDATE checks that the row is
// still the version it read) runs it again in a new one.
Status PgDatabase::run_write(PgConnection& conn, Work work) {
  thread_local std::minstd_rand jitter{std::random_device{}()};
  for (int attempt = 1;; ++attempt) {
    conn.clear_error();
    if (attempt > 1 && !conn.in_transaction()) {
      if (auto s = conn.execute(kBegin, {}); !s) return fail(s.error());
    }
    Status outcome = run_guarded(work, conn);
    if (outcome) {
      const auto committing = std::chrono::steady_clock::now();
      auto committed = conn.execute_script(kCommitBegin);
      if (committed) {
        if (options_.commit_seconds != nullptr) {
          options_.commit_seconds->observe(
              std::chrono::duration<double>(std::chrono::steady_clock::now() - committing).count());
        }
        if (options_.commit_batch_size != nullptr) options_.commit_batch_size->observe(1.0);
        return {};
      }
      outcome = fail(committed.error());
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

// Runs work in the read-only snapshot the caller began.
Status PgDatabase::run_read(PgConnection& conn, Work work) {
  Status outcome = run_guarded(work, conn);
  if (!outcome && conn.broken() && conn.reconnect()) {
    // Died while idle (see run_write): once more, on a fresh connection.
    outcome = to_status(conn.execute(kBeginRead, {}));
    if (outcome) outcome = run_guarded(work, conn);
  }
  if (!conn.broken()) (void)conn.execute_script(kEndBeginRead);
  return outcome;
}

Status PgDatabase::migrate() {
  // Several processes may start at once: the first to take the lock applies
  // the migrations, the others wait for it and then find nothing to do. The
  // lock is released with the transaction.
  return write_sync(*this, [](Connection& conn) -> Status {
    const Param key[] = {kMigrationLock};
    if (auto r = conn.execute(kLockMigrations, key); !r) return fail(r.error());
    return apply_migrations(conn, Backend::postgres);
  });
}

void PgDatabase::listen(std::string_view channel, std::function<void()> on_notify) {
  threads_.emplace_back(
      [this, ch = std::string(channel), cb = std::move(on_notify)] { run_listener(ch, cb); });
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

void PgDatabase::submit_health_check(Done done) {
  submit_read(health_probe_, std::move(done));
}

}  // namespace paygate::store
