#include "api/health.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <string_view>
#include <vector>

#include "core/json_writer.h"
#include "store/async.h"

namespace paygate::api {

namespace {

// How health names each outcome of the database check: its status, the
// problem it adds, and what an operator reads first. Fixed text: the
// driver's (host, user, file path) goes to the log only.
struct DatabaseVerdict {
  std::string_view status;
  std::string_view problem;
  std::string_view description;
};

DatabaseVerdict verdict_of(store::DatabaseHealth h) {
  switch (h) {
    case store::DatabaseHealth::ok:
      return {"ok", "", ""};
    case store::DatabaseHealth::unreachable:
      return {"unreachable", "database_unreachable", "the database cannot be reached"};
    case store::DatabaseHealth::statement_timeout:
      return {"statement_timeout", "database_statement_timeout",
              "the database is reachable, but the check ran past the statement timeout: a lock "
              "held by another session, or a database server too busy to answer"};
    case store::DatabaseHealth::overloaded:
      return {"overloaded", "database_failing",
              "the check could not be queued: the read queue is full"};
    case store::DatabaseHealth::failing:
      break;
  }
  return {"failing", "database_failing",
          "the database is reachable, but the check failed; the server log says why"};
}

void queue_check(JsonWriter& w, std::string_view name, const store::QueueDepth& q) {
  w.key(name).begin_object();
  w.field("status", q.full() ? "full" : "ok");
  w.key("queued").value(static_cast<std::int64_t>(q.queued));
  w.key("limit").value(static_cast<std::int64_t>(q.limit));
  w.end_object();
}

boost::asio::awaitable<Result<http::Reply>> health(const Services& s, const http::Request&) {
  const auto started = std::chrono::steady_clock::now();
  const store::HealthReport report = co_await store::health_check(s.db);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  const bool database_ok = report.database == store::DatabaseHealth::ok;
  const DatabaseVerdict verdict = verdict_of(report.database);
  if (!report.outcome) spdlog::warn("health check: {}", report.outcome.error().description);

  // A probe refused by a full read queue is that queue's problem, named once.
  std::vector<std::string_view> problems;
  if (!database_ok && report.database != store::DatabaseHealth::overloaded) {
    problems.push_back(verdict.problem);
  }
  if (report.writes.full()) problems.push_back("write_queue_full");
  if (report.reads.full() || report.database == store::DatabaseHealth::overloaded) {
    problems.push_back("read_queue_full");
  }
  const bool healthy = problems.empty();

  JsonWriter w(512);
  w.begin_object();
  w.field("status", healthy ? "healthy" : "unhealthy");
  // The contract's field: "disconnected" only when the database cannot be
  // reached. A timed-out statement came back from a live server, and a full
  // queue means the database threads are busy with it, not without it.
  w.field("database",
          report.database == store::DatabaseHealth::unreachable ? "disconnected" : "connected");
  w.key("timestamp").timestamp(now_micros());
  w.key("problems").begin_array();
  for (const auto p : problems) w.value(p);
  w.end_array();
  w.key("checks").begin_object();
  w.key("database").begin_object();
  w.field("status", verdict.status);
  w.key("took_ms").value(static_cast<std::int64_t>(took.count()));
  if (!database_ok) w.field("description", verdict.description);
  w.end_object();
  queue_check(w, "write_queue", report.writes);
  queue_check(w, "read_queue", report.reads);
  w.end_object();
  w.end_object();
  co_return http::Reply{healthy ? 200 : 503, w.take(), "application/json", {}};
}

}  // namespace

void add_health_routes(http::Router& router, const Services& s) {
  const Services* sp = &s;
  auto handler = [sp](const http::Request& r) { return health(*sp, r); };
  router.add(http::Method::get, "/api/v1/health", handler);
  router.add(http::Method::get, "/health", handler);
}

}  // namespace paygate::api
