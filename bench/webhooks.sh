#!/usr/bin/env bash
# Webhook delivery throughput: events delivered per second to a local receiver
# that answers 200 at once. Payments are created through the API (each
# success and capture makes events) with two endpoints registered, and the
# deliveries are timed from the webhook log in the database.
#   bench/webhooks.sh        PAYMENTS=3000 bench/webhooks.sh
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
