#!/usr/bin/env bash
# GET /api/v1/admin/stats over a large payments table (default 1,000,000
# payments over 30 days, plus refunds and webhook deliveries), timed with
# curl: no window (all running totals), a window of whole hours (running
# totals only), and a ragged window (whole hours plus the objects of its two
# partial hours). The rows are written with sqlite3 and the running totals
# built by migration 6's backfill, the same SQL the upgrade path runs; the
# demo merchant they belong to is made by `serve --test-mode` on start.
#   bench/stats.sh              PAYMENTS=200000 bench/stats.sh
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${PAYGATE_BIN:-build/release/paygate}
PAYMENTS=${PAYMENTS:-1000000}
PORT=${PORT:-18083}
URL="http://127.0.0.1:${PORT}"
[ -x "$BIN" ] || { echo "build first: make release" >&2; exit 1; }

work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
db="$work/stats.db"

"$BIN" migrate --database "sqlite://$db" >/dev/null
now_us=$(($(date +%s) * 1000000))
span_us=$((30 * 24 * 3600 * 1000000))
echo "writing $PAYMENTS payments..."
start=$(date +%s.%N)
sqlite3 "$db" <<SQL
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $PAYMENTS)
INSERT INTO payments (id, order_id, merchant_id, amount, currency, method, status, captured,
                      processing_started_at, finished_at, created_at, updated_at)
SELECT printf('pay_%016d', i), printf('order_%014d', i), 'mrc_testmerchant0001',
       10000 + i % 90000, 'INR', CASE WHEN i % 3 = 0 THEN 'upi' ELSE 'card' END,
       CASE WHEN i % 10 = 0 THEN 'FAILED' ELSE 'SUCCESS' END, 1,
       $now_us - $span_us + i * ($span_us / $PAYMENTS) + 1000,
       $now_us - $span_us + i * ($span_us / $PAYMENTS) + 1000 + 200000 + abs(random() % 2800000),
       $now_us - $span_us + i * ($span_us / $PAYMENTS),
       $now_us - $span_us + i * ($span_us / $PAYMENTS)
FROM n;
INSERT INTO refunds (id, payment_id, merchant_id, amount, status, created_at, updated_at)
  SELECT 'refund_' || substr(id, 5), id, merchant_id, amount / 2, 'PROCESSED', created_at + 1, created_at + 1
  FROM payments WHERE status = 'SUCCESS' AND rowid % 20 = 0;
-- Build the running totals the way an upgrade does: migration 6 again.
DROP TABLE stats_counters;
DROP TABLE payment_latency_stats;
DELETE FROM schema_migrations WHERE version = 6;
SQL
"$BIN" migrate --database "sqlite://$db" >/dev/null
printf 'rows written and totals built in %.1f s; payments: %s, total rows (hours and days): %s\n' \
  "$(echo "$(date +%s.%N) - $start" | bc)" \
  "$(sqlite3 "$db" 'SELECT count(*) FROM payments')" \
  "$(sqlite3 "$db" 'SELECT count(*) FROM stats_counters')"

"$BIN" serve --test-mode --listen "127.0.0.1:$PORT" --database "sqlite://$db" --log-level warn \
  >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf "$URL/health" >/dev/null && break; sleep 0.1; done

auth=(-H 'X-Api-Key: key_test_abc123' -H 'X-Api-Secret: secret_test_xyz789')
now_s=$((now_us / 1000000))
hour=$((now_s / 3600 * 3600))
# Times 20 requests; prints the median and the slowest.
time_it() {
  local name=$1 query=$2 times=()
  curl -sf "${auth[@]}" "$URL/api/v1/admin/stats$query" >"$work/answer.json"
  for _ in $(seq 20); do
    times+=("$(curl -sf -o /dev/null -w '%{time_total}' "${auth[@]}" "$URL/api/v1/admin/stats$query")")
  done
  local sorted
  sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  printf '%-44s median %6.1f ms   max %6.1f ms   payments.total %s\n' "$name" \
    "$(sed -n 10p <<<"$sorted" | awk '{print $1 * 1000}')" \
    "$(tail -1 <<<"$sorted" | awk '{print $1 * 1000}')" \
    "$(sed -E 's/.*"payments":\{"total":([0-9]+).*/\1/' "$work/answer.json")"
}
echo "GET /api/v1/admin/stats, $(nproc) cores, Release build:"
time_it "no window (whole days)" ""
time_it "whole days, last 7 days" "?from=$((hour - 7 * 24 * 3600))&to=$((hour - 1))"
time_it "ragged window, 30 days +- 30 min edges" "?from=$((now_s - 30 * 24 * 3600 + 1800))&to=$((now_s - 1800))"
echo "for comparison, the same counts straight from the payments table (sqlite3 CLI):"
s=$(date +%s.%N)
sqlite3 "$db" "SELECT status, count(*) FROM payments WHERE merchant_id = 'mrc_testmerchant0001' GROUP BY status" >/dev/null
printf '%-44s %6.1f ms\n' "GROUP BY status over payments" "$(echo "($(date +%s.%N) - $s) * 1000" | bc)"
