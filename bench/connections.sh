#!/usr/bin/env bash
# Many connections to one process: wrk holds COUNTS (1,000, 5,000 and 10,000)
# keep-alive connections, opened at once, each polling GET
# /api/v1/payments/public/{id} (what a checkout page does while it waits for
# a payment) on one Release server (test mode, fresh SQLite). Two passes:
# "flat out" (each connection sends its next request as soon as it has the
# answer: the server's ceiling, where latency is connections / throughput)
# and "every POLL_MS" (1000: a checkout page's pace, bench/lua/poll_payment.lua).
# For each count: req/s, latency percentiles, wrk's timeouts (requests older
# than 2 s, counted at each of its 2 s checks), connect errors, non-2xx
# answers, the server's descriptors and RSS while it held them (and after),
# the load average before the run; then the listen-queue overflows seen.
#   bench/connections.sh               (after: make release; or: make bench-connections)
#   COUNTS="1000 5000 10000" DURATION=20s POLL_MS=1000 bench/connections.sh
# Both this script (wrk's connections) and the server (its own) need a
# descriptor per connection: ulimit -n is raised here to the connections
# plus a margin (the server raises its own soft limit to the hard one).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${PAYGATE_BIN:-build/release/paygate}
COUNTS=${COUNTS:-1000 5000 10000}
DURATION=${DURATION:-20s}
WRK_THREADS=${THREADS:-2}
export POLL_MS=${POLL_MS:-1000}  # read by bench/lua/poll_payment.lua
PORT=${PORT:-18085}
URL="http://127.0.0.1:${PORT}"

[ -x "$BIN" ] || { echo "build first: make release" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing: bash scripts/install-deps.sh" >&2; exit 1; }
most=0
for c in $COUNTS; do [ "$c" -gt "$most" ] && most=$c; done
need_fds=$((most + 256))
if [ "$(ulimit -n)" -lt "$need_fds" ]; then
  ulimit -n "$need_fds" 2>/dev/null || {
    echo "bench/connections.sh: ulimit -n is $(ulimit -n), ${need_fds} needed" >&2
    exit 1
  }
fi

work=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  [ -n "$server" ] && wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$BIN" serve --test-mode --listen "127.0.0.1:${PORT}" --database "sqlite://${work}/bench.db" \
  --max-connections $((most + 1000)) --log-level warn >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do
  curl -sf "$URL/health" >/dev/null && break
  sleep 0.1
done
curl -sf "$URL/health" >/dev/null || { echo "the server did not start:" >&2; cat "$work/server.log" >&2; exit 1; }

# One payment to poll, made as the checkout makes it (the demo merchant's key).
order=$(curl -sf -X POST "$URL/api/v1/orders/public" -H 'Content-Type: application/json' \
  -H 'X-Api-Key: key_test_abc123' -d '{"amount": 50000}' | sed -E 's/.*"id": ?"([^"]+)".*/\1/')
payment=$(curl -sf -X POST "$URL/api/v1/payments/public" -H 'Content-Type: application/json' \
  -H 'X-Api-Key: key_test_abc123' \
  -d "{\"order_id\": \"${order}\", \"method\": \"upi\", \"vpa\": \"test@upi\"}" |
  sed -E 's/^\{"id": ?"([^"]+)".*/\1/')
case "$payment" in pay_*) ;; *) echo "no payment to poll: $payment" >&2; exit 1 ;; esac
target="$URL/api/v1/payments/public/${payment}"

# Connects the kernel dropped because a listen queue was full (all sockets).
overflows() { awk '/^TcpExt:/ {if (!n) {for (i = 1; i <= NF; i++) if ($i == "ListenOverflows") n = i} else print $n}' /proc/net/netstat; }
overflows_before=$(overflows)
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$server/status"; }
open_fds() { find "/proc/$server/fd" -mindepth 1 -maxdepth 1 | wc -l; }

echo "server: $BIN, $(nproc) cores, somaxconn $(cat /proc/sys/net/core/somaxconn), ulimit -n $(ulimit -n)"
echo "GET /api/v1/payments/public/{id}, wrk -t${WRK_THREADS} -d${DURATION} --timeout 2s"
# One pass over COUNTS; its arguments go to wrk.
pass() {
  printf '%-12s %10s %9s %9s %9s %9s %9s %9s %9s %12s %12s %7s\n' connections req/s p50 p99 max \
    timeouts connect non-2xx fds rss_MiB rss_after_MiB load1
  for c in $COUNTS; do
    # RSS sampled while wrk holds the connections: the most seen.
    peak=0
    peak_fds=0
    load=$(cut -d' ' -f1 /proc/loadavg)
    wrk -t"$WRK_THREADS" -c"$c" -d"$DURATION" --timeout 2s --latency "$@" "$target" >"$work/wrk.txt" &
    wrk_pid=$!
    while kill -0 "$wrk_pid" 2>/dev/null; do
      r=$(rss_kib)
      f=$(open_fds)
      [ "$r" -gt "$peak" ] && peak=$r
      [ "$f" -gt "$peak_fds" ] && peak_fds=$f
      sleep 0.5
    done
    wait "$wrk_pid"
    sleep 1
    after=$(rss_kib)
    awk -v c="$c" -v peak="$peak" -v after="$after" -v fds="$peak_fds" -v load="$load" '
      /Requests\/sec/ {r = $2}
      $1 == "50%" {p50 = $2} $1 == "99%" {p99 = $2}
      $1 == "Latency" && max == "" {max = $4}
      /Socket errors/ {gsub(",", ""); connect = $4; timeout = $10}
      /Non-2xx/ {non2xx = $NF}
      END {
        printf "%-12s %10s %9s %9s %9s %9s %9s %9s %9s %12.1f %12.1f %7s\n", c, r, p50, p99, max,
               (timeout == "" ? 0 : timeout), (connect == "" ? 0 : connect),
               (non2xx == "" ? 0 : non2xx), fds, peak / 1024, after / 1024, load
      }' "$work/wrk.txt"
    if [ -n "${VERBOSE:-}" ]; then cat "$work/wrk.txt"; fi
  done
}

echo "flat out:"
pass
echo "each connection every ${POLL_MS} ms:"
pass -s bench/lua/poll_payment.lua

echo "listen queue overflows during the runs (TcpExtListenOverflows, whole machine): $(($(overflows) - overflows_before))"
if grep -q "accept failed" "$work/server.log"; then
  echo "the server logged failed accepts:" >&2
  grep "accept failed" "$work/server.log" | sort | uniq -c >&2
fi
