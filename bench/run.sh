#!/usr/bin/env bash
# Benchmarks a Release build of paygate with wrk on loopback, on a fresh SQLite
# database, and prints requests/s, p50/p99 latency and the CPU time a
# hypervisor stole from the machine (as a share) per scenario.
#   bench/run.sh                 (or: make bench)
#   DURATION=10s CONNECTIONS=64 THREADS=2 bench/run.sh
#   BENCH_DATABASE=postgres://... bench/run.sh   (a PostgreSQL instead; see bench/run-pg.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${PAYGATE_BIN:-build/release/paygate}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${THREADS:-2}
PORT=${PORT:-18080}
URL="http://127.0.0.1:${PORT}"

[ -x "$BIN" ] || { echo "build first: make release" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing: bash scripts/install-deps.sh" >&2; exit 1; }

work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

DATABASE=${BENCH_DATABASE:-sqlite://${work}/bench.db}
"$BIN" serve --test-mode --listen "127.0.0.1:${PORT}" --database "$DATABASE" \
  --log-level warn >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do
  curl -sf "$URL/health" >/dev/null && break
  sleep 0.1
done

auth=(-H 'X-Api-Key: key_test_abc123' -H 'X-Api-Secret: secret_test_xyz789')
order_id=$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' -X POST "$URL/api/v1/orders" \
  -d '{"amount":50000}' | sed -E 's/.*"id":"([^"]+)".*/\1/')

# The machine's CPU time so far, all of it and the part a hypervisor gave to
# someone else ("steal", /proc/stat): a VM that loses a fifth of its cores
# during a run measures its neighbours, not paygate.
# (%.0f: mawk prints integers past 2^31 rounded to six digits.)
cpu_times() { awk '/^cpu / {t = 0; for (i = 2; i <= 9; i++) t += $i; printf "%.0f %.0f\n", t, $9}' /proc/stat; }

# One scenario: wrk's requests/s, latency percentiles and the CPU time stolen
# from the machine while it ran, on one line.
run() {
  local name=$1 path=$2 script=${3:-}
  local args=(-t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency)
  [ -n "$script" ] && args+=(-s "bench/lua/$script")
  local out before after
  before=$(cpu_times)
  out=$(wrk "${args[@]}" "$URL$path")
  after=$(cpu_times)
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  local stolen
  stolen=$(awk -v b="$before" -v a="$after" 'BEGIN {
    split(b, x); split(a, y); t = y[1] - x[1]; printf "%.0f%%", (t > 0 ? 100 * (y[2] - x[2]) / t : 0) }')
  printf '%-24s %12s req/s   p50 %8s   p99 %8s   non-2xx %s   cpu stolen %s\n' \
    "$name" "$rps" "$p50" "$p99" "${errors:-0}" "$stolen"
}

if [[ $DATABASE == sqlite://* ]]; then
  store="SQLite WAL synchronous=FULL"
else
  store="PostgreSQL $(psql "$DATABASE" -Atc 'SHOW server_version') fsync=$(psql "$DATABASE" -Atc 'SHOW fsync') synchronous_commit=$(psql "$DATABASE" -Atc 'SHOW synchronous_commit')"
fi
echo "paygate bench: $(nproc) cores, wrk -t${WRK_THREADS} -c${CONNECTIONS} -d${DURATION}, ${store}"
run "GET /health" /health
run "POST /orders" /api/v1/orders create_order.lua
run "GET /orders/{id}" "/api/v1/orders/${order_id}" auth_get.lua

if [[ $DATABASE == sqlite://* ]]; then
  count=$(sqlite3 "${work}/bench.db" 'SELECT count(*) FROM orders' 2>/dev/null || echo "?")
else
  count=$(psql "$DATABASE" -Atc 'SELECT count(*) FROM orders' 2>/dev/null || echo "?")
fi
echo "orders in the database after the run: ${count}"
