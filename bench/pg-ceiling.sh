#!/usr/bin/env bash
# What PostgreSQL alone does on this machine, without paygate or HTTP: pgbench
# sends the statements that the POST /orders and GET /orders/{id} scenarios
# cause (prepared, one transaction each) to a PostgreSQL with the same durable
# defaults as bench/run-pg.sh. The ceiling for those two scenarios.
#   bench/pg-ceiling.sh            (or: make bench-pg-ceiling)
#   CLIENTS=8 DURATION=10 bench/pg-ceiling.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${PAYGATE_BIN:-build/release/paygate}
[ -x "$BIN" ] || { echo "build first: make release" >&2; exit 1; }
export BIN CLIENTS=${CLIENTS:-8} DURATION=${DURATION:-10}
PG_DURABLE=1 exec tests/pg/with-postgres.sh bash bench/pgbench/run.sh
