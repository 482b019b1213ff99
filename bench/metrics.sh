#!/usr/bin/env bash
# GET /metrics over a long history: MERCHANTS (500) merchants with DAYS (400)
# days of running totals for 10 metrics each, 2,000,000 day rows of
# stats_counters by default. The rows are written with sqlite3 as a database
# from before migration 10 would hold them; `paygate migrate` then builds the
# all-time totals the way an upgrade does (timed). The scrape is timed with
# curl one at a time, then with wrk at 8 connections while another wrk times
# GET /health beside it (the issue: eight concurrent scrapes held /health for
# 9 s). For comparison, the statement the scrape ran before migration 10 (a
# sum over every day row) is timed with the sqlite3 CLI on the same file.
#   bench/metrics.sh              MERCHANTS=100 DAYS=100 bench/metrics.sh
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${PAYGATE_BIN:-build/release/paygate}
MERCHANTS=${MERCHANTS:-500}
DAYS=${DAYS:-400}
SCRAPES=${SCRAPES:-200}
DURATION=${DURATION:-5s}
PORT=${PORT:-18084}
URL="http://127.0.0.1:${PORT}"
TOKEN=bench-metrics-token-0123456789abcdef0123
[ -x "$BIN" ] || { echo "build first: make release" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing: bash scripts/install-deps.sh" >&2; exit 1; }

# Outside test mode (`migrate`) paygate needs a master key: a throwaway one.
if [ -z "${PAYGATE_MASTER_KEY:-}${PAYGATE_MASTER_KEY_FILE:-}" ] && key=$("$BIN" keygen 2>/dev/null); then
  export PAYGATE_MASTER_KEY=$key
fi

work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
db="$work/metrics.db"

"$BIN" migrate --database "sqlite://$db" >/dev/null
now_hour=$(($(date +%s) / 3600 / 24 * 24))
echo "writing $((MERCHANTS * DAYS * 10)) day rows ($MERCHANTS merchants, $DAYS days, 10 metrics)..."
start=$(date +%s.%N)
sqlite3 "$db" >/dev/null <<SQL
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
-- Before migration 10: no all-time rows.
DELETE FROM stats_counters;
DELETE FROM schema_migrations WHERE version >= 10;
WITH RECURSIVE
  m(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM m WHERE i < $MERCHANTS),
  d(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM d WHERE j < $DAYS - 1),
  metrics(name, share) AS (VALUES ('payment:card:total', 100), ('payment:card:SUCCESS', 90),
    ('payment:card:FAILED', 10), ('payment:upi:total', 50), ('payment:upi:SUCCESS', 45),
    ('payment:upi:FAILED', 5), ('refund:total', 8), ('refund:PROCESSED', 7),
    ('delivery:total', 300), ('delivery:success', 299))
INSERT INTO stats_counters (merchant_id, span_hours, hour, metric, shard, count, amount)
SELECT printf('mrc_bench%011d', i), 24, $now_hour - 24 * j, name, 0,
       share * (1 + (i + j) % 5), share * (1 + (i + j) % 5) * 50000
FROM m, d, metrics;
SQL
printf 'rows written in %.1f s; day rows: %s\n' "$(echo "$(date +%s.%N) - $start" | bc)" \
  "$(sqlite3 "$db" 'SELECT count(*) FROM stats_counters WHERE span_hours = 24')"

start=$(date +%s.%N)
"$BIN" migrate --database "sqlite://$db" >/dev/null
printf 'migration 10 (all-time totals from the day rows) took %.1f s; all-time rows: %s\n' \
  "$(echo "$(date +%s.%N) - $start" | bc)" \
  "$(sqlite3 "$db" 'SELECT count(*) FROM stats_counters WHERE span_hours = 0')"

# Median and slowest of five runs of a statement in one sqlite3 session, in ms.
time_sql() {
  { echo ".timer on"; for _ in 1 2 3 4 5; do echo "$1;"; done; } | sqlite3 "$db" 2>&1 |
    grep -o 'real [0-9.]*' | awk '{print $2 * 1000}' | sort -n |
    awk '{a[NR] = $1} END {printf "median %.1f ms, slowest %.1f ms", a[int((NR + 1) / 2)], a[NR]}'
}
echo "the scrape's totals statement, sqlite3 CLI:"
printf '  before (sum of every day row):  %s' \
  "$(time_sql 'SELECT metric, sum(count), sum(amount) FROM stats_counters WHERE span_hours = 24 GROUP BY metric')"
echo
printf '  after (all-time rows):          %s' \
  "$(time_sql "SELECT metric, sum(count), sum(amount) FROM stats_counters WHERE merchant_id = '*' AND span_hours = 0 AND hour = 0 GROUP BY metric")"
echo

PAYGATE_METRICS_TOKEN=$TOKEN "$BIN" serve --test-mode --listen "127.0.0.1:$PORT" \
  --database "sqlite://$db" --log-level warn >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf "$URL/health" >/dev/null && break; sleep 0.1; done

bearer="Authorization: Bearer $TOKEN"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/metrics")" = 401 ] ||
  { echo "an anonymous scrape was not refused" >&2; exit 1; }
curl -sf -H "$bearer" "$URL/metrics" >"$work/metrics.txt"
grep '^paygate_payments_total' "$work/metrics.txt" | head -2

# SCRAPES requests one at a time with curl (a new connection each); /health,
# a one-row read, is the control: curl's own share of the time.
time_curl() {
  for _ in $(seq "$SCRAPES"); do
    curl -sf -o /dev/null -w '%{time_total}\n' -H "$bearer" "$URL$1"
  done | sort -n | awk -v n="$SCRAPES" -v path="$1" '{a[NR] = $1 * 1000}
    END {printf "GET %-8s %d one at a time (curl): p50 %5.2f ms, p99 %5.2f ms, max %5.2f ms\n",
         path, n, a[int(n * 0.5)], a[int(n * 0.99)], a[n]}'
}
time_curl /health
time_curl /metrics

# Eight scrapers at once, and /health timed beside them.
wrk -t1 -c8 -d"$DURATION" --latency -H "$bearer" "$URL/metrics" >"$work/scrapes.txt" &
scrapers=$!
wrk -t1 -c4 -d"$DURATION" --latency "$URL/health" >"$work/health.txt"
wait "$scrapers"
summary() {
  awk -v name="$1" '/Requests\/sec/ {rps = $2} /^ +50%/ {p50 = $2} /^ +99%/ {p99 = $2}
    END {printf "%-36s %9s req/s  p50 %8s  p99 %8s\n", name, rps, p50, p99}' "$2"
}
summary "GET /metrics, 8 connections (wrk)" "$work/scrapes.txt"
summary "GET /health beside them, 4 conns" "$work/health.txt"
