// SQL for the processes table: each process's row, renewed by its heartbeat.
#pragma once

#include <vector>

#include "core/process.h"
#include "store/database.h"

namespace paygate::store {

// Registers p, or renews its row: heartbeat now, live until expires_at.
Status heartbeat_process(Connection& conn, const ProcessInfo& p, Micros now, Micros expires_at);
// Live processes serving the API at now.
Result<std::int64_t> count_live_api_processes(Connection& conn, Micros now);
// Forgets the rows of processes expired before `before`: how many.
Result<std::int64_t> forget_processes_expired_before(Connection& conn, Micros before);
// A process that stops cleanly removes its row: the others take over its share at once.
Status remove_process(Connection& conn, std::string_view id);
// Every registered process, oldest first, with the running jobs it claimed.
Result<std::vector<ProcessStatus>> list_processes(Connection& conn);

}  // namespace paygate::store
