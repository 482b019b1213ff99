#!/usr/bin/env bash
# Webhook delivery throughput: events delivered per second to a local receiver
# that answers 200 at once. Payments are created through the API (each
# success and capture makes events) with two endpoints registered, and the
# deliveries are timed from the webhook log in the database.
# Then the slow-receiver scenario (below).
#   bench/webhooks.sh        PAYMENTS=3000 MEASURE=10 bench/webhooks.sh
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${PAYGATE_BIN:-build/release/paygate}
RECEIVER=${RECEIVER_BIN:-build/release/paygate_bench_receiver}
PAYMENTS=${PAYMENTS:-3000}
PORT=${PORT:-18082}
RECEIVER_PORT=${RECEIVER_PORT:-18083}
URL="http://127.0.0.1:${PORT}"
[ -x "$BIN" ] && [ -x "$RECEIVER" ] || { echo "build first: make release" >&2; exit 1; }

work=$(mktemp -d)
"$RECEIVER" "$RECEIVER_PORT" >"$work/receiver.out" &
receiver=$!
PAYGATE_PROCESSING_DELAY_MS=0 "$BIN" serve --test-mode --listen "127.0.0.1:${PORT}" \
  --database "sqlite://${work}/bench.db" --log-level warn >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server $receiver 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sf "$URL/health" >/dev/null && break; sleep 0.1; done

auth=(-H 'X-Api-Key: key_test_abc123' -H 'X-Api-Secret: secret_test_xyz789' -H 'Content-Type: application/json')
for path in a b; do
  curl -sf "${auth[@]}" -X POST "$URL/api/v1/webhooks" \
    -d "{\"url\":\"http://127.0.0.1:${RECEIVER_PORT}/${path}\"}" >/dev/null
done

# Orders and payments through the API: wrk drives the same script as the payments bench.
wrk -t2 -c64 -d60s -s bench/lua/pay.lua "$URL" >"$work/wrk.txt" &
wrk_pid=$!
for _ in $(seq 600); do
  n=$(sqlite3 "${work}/bench.db" "SELECT count(*) FROM payments")
  [ "$n" -ge "$PAYMENTS" ] && break
  sleep 0.1
done
kill "$wrk_pid" 2>/dev/null || true
wait "$wrk_pid" 2>/dev/null || true

for _ in $(seq 1200); do
  left=$(sqlite3 "${work}/bench.db" "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'")
  [ "$left" = "0" ] && break
  sleep 0.1
done
sqlite3 -separator ' ' "${work}/bench.db" "
  SELECT count(*), sum(status = 'success'),
         (max(updated_at) - min(created_at)) / 1e6
  FROM webhook_deliveries" | {
  read -r total ok span
  awk -v t="$total" -v s="$ok" -v span="$span" 'BEGIN {
    printf "webhooks: %d deliveries, %d succeeded, in %.2f s: %.0f deliveries/s\n", t, s, span, s / span }'
}
kill "$receiver"; wait "$receiver" 2>/dev/null || true
echo "receiver counted $(cat "$work/receiver.out") requests"
kill "$server"; wait "$server" 2>/dev/null || true

# Slow receivers: does a merchant whose webhook receivers hang hold up other
# shoppers' payments? Payments (processing delay 1000 ms) driven by wrk
# (SLOW_CONNECTIONS, default 4) for MEASURE seconds to 10 endpoints, first
# at a receiver that answers at once, then at one that answers only after 10 s
# (past the 2 s webhook timeout), behind a backlog of their deliveries. The
# same fan-out (20 deliveries a payment) both times: what differs is only
# the receivers' speed. Settle time: finished_at - created_at.
slow_scenario() {
  local work
  work=$(mktemp -d)
  local fast_port=$((RECEIVER_PORT + 1)) slow_port=$((RECEIVER_PORT + 2))
  "$RECEIVER" "$fast_port" >"$work/fast.out" &
  local fast=$!
  "$RECEIVER" "$slow_port" 10000 >"$work/slow.out" &
  local slow=$!
  PAYGATE_PROCESSING_DELAY_MS=1000 PAYGATE_WEBHOOK_TIMEOUT_MS=2000 \
    PAYGATE_WEBHOOK_RETRY_SCHEDULE=600 "$BIN" serve --test-mode --listen "127.0.0.1:${PORT}" \
    --database "sqlite://${work}/slow.db" --log-level warn >"$work/server.log" 2>&1 &
  local slow_server=$!
  for _ in $(seq 100); do curl -sf "$URL/health" >/dev/null && break; sleep 0.1; done

  measure() {
    local label=$1 from to
    from=$(date +%s%6N)
    wrk -t2 -c"${SLOW_CONNECTIONS:-4}" -d"${MEASURE:-10}s" -s bench/lua/pay.lua "$URL" >/dev/null
    to=$(date +%s%6N)
    for _ in $(seq 300); do
      local left
      left=$(sqlite3 "${work}/slow.db" "SELECT count(*) FROM payments WHERE created_at BETWEEN $from AND $to AND status IN ('CREATED','PROCESSING')")
      [ "$left" = "0" ] && break
      sleep 0.1
    done
    local pending
    pending=$(sqlite3 "${work}/slow.db" "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'")
    sqlite3 -separator ' ' "${work}/slow.db" "
      WITH s AS (SELECT (finished_at - created_at) / 1000.0 AS ms FROM payments
                 WHERE created_at BETWEEN $from AND $to AND status = 'SUCCESS'),
           n AS (SELECT count(*) AS c FROM s)
      SELECT (SELECT c FROM n),
             (SELECT ms FROM s ORDER BY ms LIMIT 1 OFFSET (SELECT c / 2 FROM n)),
             (SELECT ms FROM s ORDER BY ms LIMIT 1 OFFSET (SELECT c * 99 / 100 FROM n)),
             (SELECT max(ms) FROM s)" | {
      read -r settled p50 p99 worst
      awk -v l="$label" -v n="$settled" -v d="$(( (to - from) / 1000000 ))" -v p50="$p50" \
          -v p99="$p99" -v w="$worst" -v q="$pending" 'BEGIN {
        printf "payments, %-24s %6d settled (%.0f/s), settle p50 %.0f ms, p99 %.0f ms, max %.0f ms; %d deliveries pending\n",
               l, n, n / d, p50, p99, w, q }'
    }
  }

  auth=(-H 'X-Api-Key: key_test_abc123' -H 'X-Api-Secret: secret_test_xyz789' -H 'Content-Type: application/json')
  local ids=()
  for i in $(seq 10); do
    ids+=("$(curl -sf "${auth[@]}" -X POST "$URL/api/v1/webhooks" \
      -d "{\"url\":\"http://127.0.0.1:${fast_port}/hook${i}\"}" | sed 's/.*"id":"\([^"]*\)".*/\1/')")
  done
  measure "fast receivers:"
  for id in "${ids[@]}"; do
    curl -sf "${auth[@]}" -X PATCH "$URL/api/v1/webhooks/$id" \
      -d "{\"url\":\"http://127.0.0.1:${slow_port}/slow\"}" >/dev/null
  done
  # The backlog: each payment sends payment.success and payment.captured to all 10.
  wrk -t2 -c"${SLOW_CONNECTIONS:-4}" -d5s -s bench/lua/pay.lua "$URL" >/dev/null
  measure "slow receivers, backlog:"
  kill "$slow_server" "$slow" "$fast" 2>/dev/null || true
  wait "$slow_server" "$slow" "$fast" 2>/dev/null || true
  rm -rf "$work"
}
slow_scenario
