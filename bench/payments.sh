#!/usr/bin/env bash
# End-to-end payment throughput: payments created through the API that reach
# SUCCESS, per second, with the simulated processing delay at 0 and 1000 ms.
#   bench/payments.sh            DURATION=10s CONNECTIONS=64 bench/payments.sh
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${PAYGATE_BIN:-build/release/paygate}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
PORT=${PORT:-18081}
URL="http://127.0.0.1:${PORT}"
[ -x "$BIN" ] || { echo "build first: make release" >&2; exit 1; }

scenario() {
  local delay=$1
  local work
  work=$(mktemp -d)
  PAYGATE_PROCESSING_DELAY_MS=$delay "$BIN" serve --test-mode --listen "127.0.0.1:${PORT}" \
    --database "sqlite://${work}/bench.db" --log-level warn >"$work/server.log" 2>&1 &
  local server=$!
  for _ in $(seq 100); do curl -sf "$URL/health" >/dev/null && break; sleep 0.1; done

  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s bench/lua/pay.lua "$URL" >"$work/wrk.txt"
  # Wait for every queued payment to settle.
  for _ in $(seq 600); do
    local left
    left=$(sqlite3 "${work}/bench.db" "SELECT count(*) FROM payments WHERE status IN ('CREATED','PROCESSING')")
    [ "$left" = "0" ] && break
    sleep 0.1
  done
  sqlite3 -separator ' ' "${work}/bench.db" "
    SELECT count(*),
           sum(status = 'SUCCESS'),
           (max(finished_at) - min(created_at)) / 1e6,
           (max(created_at) - min(created_at)) / 1e6
    FROM payments" | {
    read -r total success settle_span create_span
    awk -v d="$delay" -v t="$total" -v s="$success" -v ss="$settle_span" -v cs="$create_span" 'BEGIN {
      printf "delay %5d ms: %7d payments created (%.0f/s), %7d SUCCESS, settled at %.0f payments/s\n",
             d, t, t / cs, s, s / ss }'
  }
  kill "$server"; wait "$server" 2>/dev/null || true
  rm -rf "$work"
}

echo "paygate payments bench: $(nproc) cores, wrk -t2 -c${CONNECTIONS} -d${DURATION} (order + public UPI payment per pair of requests)"
scenario 0
scenario 1000
