#include "store/process_repository.h"

namespace paygate::store {

namespace {

constexpr Sql kHeartbeat{
    "INSERT INTO processes (id, api, workers, host, pid, version, started_at, heartbeat_at,"
    " expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    " ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at,"
    " expires_at = excluded.expires_at"};
constexpr Sql kCountLiveApi{"SELECT count(*) FROM processes WHERE api = 1 AND expires_at > $1"};
constexpr Sql kForget{"DELETE FROM processes WHERE expires_at < $1"};
constexpr Sql kRemove{"DELETE FROM processes WHERE id = $1"};
// The subquery reads jobs_running_by_claimer (running jobs only).
constexpr Sql kList{
    "SELECT p.id, p.api, p.workers, p.host, p.pid, p.version, p.started_at, p.heartbeat_at,"
    " p.expires_at, (SELECT count(*) FROM jobs j WHERE j.claimed_by = p.id AND"
    " j.state = 'running') FROM processes p ORDER BY p.started_at, p.id"};

}  // namespace

Status heartbeat_process(Connection& conn, const ProcessInfo& p, Micros now, Micros expires_at) {
  const Param params[] = {p.id,
                          std::int64_t{p.api ? 1 : 0},
                          std::int64_t{p.workers ? 1 : 0},
                          p.host,
                          p.pid,
                          p.version,
                          p.started_at,
                          now,
                          expires_at};
  return to_status(conn.execute(kHeartbeat, params));
}

Result<std::int64_t> count_live_api_processes(Connection& conn, Micros now) {
  const Param params[] = {now};
  std::int64_t n = 0;
  auto r = conn.execute(kCountLiveApi, params, [&](const Row& row) { n = row.int64(0); });
  if (!r) return fail(r.error());
  return n;
}

Result<std::int64_t> forget_processes_expired_before(Connection& conn, Micros before) {
  const Param params[] = {before};
  return conn.execute(kForget, params);
}

Status remove_process(Connection& conn, std::string_view id) {
  const Param params[] = {id};
  return to_status(conn.execute(kRemove, params));
}

Result<std::vector<ProcessStatus>> list_processes(Connection& conn) {
  return query_all(conn, kList, {}, [](const Row& row) {
    ProcessStatus s;
    s.info = ProcessInfo{row.string(0), row.int64(1) != 0, row.int64(2) != 0, row.string(3),
                         row.int64(4),  row.string(5),     row.int64(6)};
    s.heartbeat_at = row.int64(7);
    s.expires_at = row.int64(8);
    s.jobs_held = row.int64(9);
    return s;
  });
}

}  // namespace paygate::store
