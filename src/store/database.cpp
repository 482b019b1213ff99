#include "store/database.h"

#include <future>

#include "store/postgres/pg_database.h"
#include "store/sqlite/sqlite_database.h"
#include "store/work_queue.h"

namespace paygate::store {

Result<std::unique_ptr<Database>> open_database(const DatabaseUrl& url,
                                                const DatabaseOptions& options) {
  if (url.kind == DatabaseUrl::Kind::postgres) {
    auto db = PgDatabase::open(url, options);
    if (!db) return fail(db.error());
    return std::unique_ptr<Database>(std::move(*db));
  }
  auto db = SqliteDatabase::open(url.sqlite_path, options);
  if (!db) return fail(db.error());
  return std::unique_ptr<Database>(std::move(*db));
}

namespace {

template <class Submit>
Status wait_for(Submit submit) {
  std::promise<Status> promise;
  auto future = promise.get_future();
  submit([&promise](Status s) { promise.set_value(std::move(s)); });
  return future.get();
}

}  // namespace

void enqueue(WorkQueue& queue, std::size_t limit, std::string_view what, Work work, Done done) {
  std::optional<Error> refused;
  {
    std::lock_guard lock(queue.mutex);
    if (queue.stopping) {
      refused = Error::service_unavailable("the database is shutting down");
    } else if (queue.tasks.size() >= limit) {
      refused = Error::overloaded("the server is overloaded: " + std::to_string(limit) + " " +
                                  std::string(what) + " are already waiting for the database");
    } else {
      queue.tasks.push_back(WorkTask{work, std::move(done)});
      queue.ready.notify_one();
      return;
    }
  }
  done(fail(std::move(*refused)));
}

QueueDepth depth(WorkQueue& queue, std::size_t limit) {
  std::lock_guard lock(queue.mutex);
  return {queue.tasks.size(), limit};
}

void close_queue(WorkQueue& queue) {
  std::lock_guard lock(queue.mutex);
  queue.stopping = true;
  queue.ready.notify_all();
}

Status run_guarded(Work work, Connection& conn) {
  try {
    return work(conn);
  } catch (const std::exception& e) {
    return fail(Error::internal(std::string("unexpected exception: ") + e.what()));
  } catch (...) {
    return fail(Error::internal("unexpected exception"));
  }
}

Status expect_one_updated(Result<std::int64_t> updated, std::string_view what) {
  if (!updated) return fail(std::move(updated.error()));
  if (*updated == 0) {
    return fail(Error::conflict(std::string(what) + " was changed by another request"));
  }
  return {};
}

Status write_sync(Database& db, Work work) {
  return wait_for([&](Done done) { db.submit_write(work, std::move(done)); });
}

Status read_sync(Database& db, Work work) {
  return wait_for([&](Done done) { db.submit_read(work, std::move(done)); });
}

}  // namespace paygate::store
