#!/usr/bin/env bash
# What idle event streams cost: STREAMS (10,000) GET /api/v1/events/stream held
# open on one Release server (test mode, fresh SQLite), the memory they hold,
# and POST /api/v1/orders beside them against the same server without them.
# The two runs alternate, ROUNDS times each (odd rounds without the streams
# first, even rounds with them first), after one warm-up run, so that drift
# of the machine and the growing database fall on both; medians are printed.
# With the streams: open them all (each must answer 200 and ": connected");
# on the first round, the server's CPU over one idle heartbeat period; wrk
# beside them; check that none was dropped; a payment whose
# payment.success must reach the streams within EVENT_DEADLINE seconds; close
# them and wait until the server has let go of them (its descriptors back to
# their idle count), so that the next round starts from none. The streams are
# held by bench/streams/holder.py (Python 3, standard library).
#   bench/streams.sh               (after: make release; or: make bench-streams)
#   STREAMS=10000 ROUNDS=3 DURATION=15s CONNECTIONS=64 bench/streams.sh
# DURATION should be at least the heartbeat period (PAYGATE_STREAM_HEARTBEAT_MS,
# 15 s by default), so that every stream sends its heartbeat during the run it
# is measured beside.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${PAYGATE_BIN:-build/release/paygate}
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-3}
STREAMS=${STREAMS:-10000}
EVENT_DEADLINE=${EVENT_DEADLINE:-10}
PORT=${PORT:-18084}
URL="http://127.0.0.1:${PORT}"
HEARTBEAT_MS=${PAYGATE_STREAM_HEARTBEAT_MS:-15000}

[ -x "$BIN" ] || { echo "build first: make release" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing: bash scripts/install-deps.sh" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is missing: bash scripts/install-deps.sh" >&2; exit 1; }
# The server and the holder each need a descriptor per stream, and some.
need_fds=$((STREAMS + CONNECTIONS + 256))
if [ "$(ulimit -n)" -lt "$need_fds" ]; then
  ulimit -n "$need_fds" 2>/dev/null || {
    echo "bench/streams.sh: ulimit -n is $(ulimit -n), ${need_fds} needed" >&2
    exit 1
  }
fi

work=$(mktemp -d)
server="" holder=""
cleanup() {
  exec 3>&- 4<&- 2>/dev/null || true
  for p in $holder $server; do kill "$p" 2>/dev/null || true; done
  for p in $holder $server; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

limit=$((STREAMS + 2000))
PAYGATE_MAX_STREAMS=$limit PAYGATE_MAX_STREAMS_PER_MERCHANT=$limit \
  "$BIN" serve --test-mode --listen "127.0.0.1:${PORT}" --database "sqlite://${work}/bench.db" \
  --max-connections "$limit" --log-level warn >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do
  curl -sf "$URL/health" >/dev/null && break
  sleep 0.1
done
curl -sf "$URL/health" >/dev/null || { echo "the server did not start:" >&2; cat "$work/server.log" >&2; exit 1; }

# The holder answers one line per command (see holder.py) through two FIFOs,
# so that it keeps its streams while wrk runs.
mkfifo "$work/to-holder" "$work/from-holder"
python3 bench/streams/holder.py --port "$PORT" --count "$STREAMS" \
  <"$work/to-holder" >"$work/from-holder" 2>"$work/holder.log" &
holder=$!
exec 3>"$work/to-holder" 4<"$work/from-holder"
answer=""
ask() {
  printf '%s\n' "$*" >&3
  IFS= read -r -t 600 answer <&4 || {
    echo "bench/streams.sh: the holder did not answer '$*':" >&2
    cat "$work/holder.log" >&2
    exit 1
  }
}

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$server/status"; }
open_fds() { find "/proc/$server/fd" -mindepth 1 -maxdepth 1 | wc -l; }
# The server's CPU time so far (user + system), in clock ticks.
server_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
# The machine's CPU time so far, all of it and the part a hypervisor gave to
# someone else (as bench/run.sh).
cpu_times() { awk '/^cpu / {t = 0; for (i = 2; i <= 9; i++) t += $i; printf "%.0f %.0f\n", t, $9}' /proc/stat; }
load1() { cut -d' ' -f1 /proc/loadavg; }
# The CPU time of every thread of a process, in ns (schedstat: finer than stat's ticks).
cpu_ns() { cat "/proc/$1/task/"*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%.0f\n", s}'; }
# The server's and the holder's CPU over one heartbeat period with nothing
# else sent to the server, in ms per second: what idle streams cost by themselves.
idle_cpu() {
  local s0 h0 s1 h1
  s0=$(cpu_ns "$server") h0=$(cpu_ns "$holder")
  sleep "$(awk -v ms="$HEARTBEAT_MS" 'BEGIN {print ms / 1000}')"
  s1=$(cpu_ns "$server") h1=$(cpu_ns "$holder")
  awk -v s="$((s1 - s0))" -v h="$((h1 - h0))" -v ms="$HEARTBEAT_MS" \
    'BEGIN {printf "%.1f %.1f\n", s / 1e3 / ms, h / 1e3 / ms}'
}

# One wrk run of POST /orders: req/s, p50, p99, the server's CPU µs per
# request, the share of CPU stolen from the machine, the load average before.
measure() {
  local out before after ticks_before ticks_after load
  load=$(load1)
  before=$(cpu_times)
  ticks_before=$(server_ticks)
  out=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/lua/create_order.lua \
    "$URL/api/v1/orders")
  ticks_after=$(server_ticks)
  after=$(cpu_times)
  if grep -q 'Non-2xx' <<<"$out"; then
    echo "bench/streams.sh: POST /orders answered errors:" >&2
    echo "$out" >&2
    exit 1
  fi
  awk -v b="$before" -v a="$after" -v t0="$ticks_before" -v t1="$ticks_after" -v load="$load" \
    -v hz="$(getconf CLK_TCK)" '
    /Requests\/sec/ {r = $2} $1 == "50%" {p50 = $2} $1 == "99%" {p99 = $2}
    / requests in / {n = $1}
    END {
      split(b, x); split(a, y); t = y[1] - x[1]
      printf "%s %s %s %.0f %.0f%% %s\n", r, p50, p99, (n > 0 ? 1e6 * (t1 - t0) / hz / n : 0),
             (t > 0 ? 100 * (y[2] - x[2]) / t : 0), load
    }' <<<"$out"
}

# Waits until the server holds no more descriptors than at idle (plus a few),
# and prints how long that took. A server that noticed a gone client only at a
# failed heartbeat write took up to two heartbeat periods.
wait_released() {
  local base=$1 started=$SECONDS limit=$((2 * HEARTBEAT_MS / 1000 + 15))
  while [ "$(open_fds)" -gt $((base + 16)) ]; do
    if [ $((SECONDS - started)) -gt "$limit" ]; then
      echo "bench/streams.sh: the server still holds $(open_fds) descriptors (${base} at idle)" \
        "${limit} s after the streams closed" >&2
      exit 1
    fi
    sleep 0.5
  done
  echo $((SECONDS - started))
}

auth=(-H 'X-Api-Key: key_test_abc123' -H 'X-Api-Secret: secret_test_xyz789' -H 'Content-Type: application/json')
# A UPI payment through checkout (succeeds after the processing delay, 1 s by default).
pay() {
  local order_id
  order_id=$(curl -sf "${auth[@]}" -X POST "$URL/api/v1/orders" -d '{"amount":50000}' |
    sed -E 's/.*"id":"([^"]+)".*/\1/')
  curl -sf "${auth[@]}" -X POST "$URL/api/v1/payments/public" \
    -d "{\"order_id\":\"${order_id}\",\"method\":\"upi\",\"vpa\":\"success@upi\"}" >/dev/null
}

median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

base_fds=$(open_fds)
rss_idle=$(rss_kib)
echo "paygate streams bench: $(nproc) cores, ${STREAMS} idle event streams (heartbeat ${HEARTBEAT_MS} ms)," \
  "wrk -t${WRK_THREADS} -c${CONNECTIONS} -d${DURATION} POST /orders, ${ROUNDS} alternating rounds," \
  "SQLite WAL synchronous=FULL"
echo "server at idle: RSS ${rss_idle} KiB, ${base_fds} descriptors; load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-5s %-13s %10s %9s %9s %12s %6s %7s\n' round streams req/s p50 p99 "CPU µs/req" load stolen

without_rps=() with_rps=() without_lat=() with_lat=() without_cpu=() with_cpu=()
per_stream=() per_stream_event=() opened=() checks=() events=() released=() rss_rows=()

# POST /orders on the server with no stream open.
without_streams() {
  local round=$1 rps p50 p99 cpu stolen load
  read -r rps p50 p99 cpu stolen load < <(measure)
  without_rps+=("$rps") without_lat+=("$p50/$p99") without_cpu+=("$cpu")
  printf '%-5s %-13s %10s %9s %9s %12s %6s %7s\n' "$round" none "$rps" "$p50" "$p99" "$cpu" "$load" "$stolen"
}

# Opens the streams, runs POST /orders beside them, checks them and an
# event's way to them, closes them and waits until the server let them go.
with_streams() {
  local round=$1 rps p50 p99 cpu stolen load fds rss_before rss_open rss_after_wrk rss_event
  rss_before=$(rss_kib)
  ask open
  [[ $answer == "opened $STREAMS "* ]] || { echo "bench/streams.sh: holder: $answer" >&2; exit 1; }
  opened+=("${answer##* }")
  fds=$(open_fds)
  if [ "$fds" -lt $((base_fds + STREAMS)) ]; then
    echo "bench/streams.sh: the server holds ${fds} descriptors with ${STREAMS} streams open" >&2
    exit 1
  fi
  rss_open=$(rss_kib)
  per_stream+=("$(awk -v a="$rss_before" -v b="$rss_open" -v n="$STREAMS" 'BEGIN {printf "%.1f", (b - a) / n}')")
  if [ "$round" = 1 ]; then
    # One heartbeat period with the streams open and idle: about one heartbeat
    # each in it (the holder counts them).
    ask check
    local before=${answer#*heartbeats }
    read -r idle_server_with idle_holder_with < <(idle_cpu)
    ask check
    local after=${answer#*heartbeats }
    idle_heartbeats=$((${after%%,*} - ${before%%,*}))
  fi

  read -r rps p50 p99 cpu stolen load < <(measure)
  with_rps+=("$rps") with_lat+=("$p50/$p99") with_cpu+=("$cpu")
  printf '%-5s %-13s %10s %9s %9s %12s %6s %7s\n' "$round" "$STREAMS" "$rps" "$p50" "$p99" "$cpu" "$load" "$stolen"
  rss_after_wrk=$(rss_kib)

  ask check
  checks+=("$answer")
  [[ $answer == "open $STREAMS of $STREAMS,"* ]] || { echo "bench/streams.sh: holder: $answer" >&2; exit 1; }

  # Every stream is the demo merchant's: one payment's event wakes all of them.
  ask mark
  pay
  ask await payment.success "$EVENT_DEADLINE"
  events+=("$answer")
  [[ $answer != *" received 0 of "* ]] || {
    echo "bench/streams.sh: no stream had payment.success within ${EVENT_DEADLINE} s" >&2
    exit 1
  }
  rss_event=$(rss_kib)
  per_stream_event+=("$(awk -v a="$rss_after_wrk" -v b="$rss_event" -v n="$STREAMS" 'BEGIN {printf "%.1f", (b - a) / n}')")

  ask close
  released+=("$(wait_released "$base_fds")")
  rss_rows+=("$round $rss_before $rss_open $rss_after_wrk $rss_event $(rss_kib)")
}

# The idle server, one heartbeat period, before any request or stream.
read -r idle_server_without _ < <(idle_cpu)
# A first run on the empty database is faster than the later ones (the table
# and its indexes grow by every run): it is printed, not counted.
read -r rps p50 p99 cpu stolen load < <(measure)
printf '%-5s %-13s %10s %9s %9s %12s %6s %7s\n' warm none "$rps" "$p50" "$p99" "$cpu" "$load" "$stolen"
# Odd rounds run without the streams first, even rounds with them first, so
# that neither side always follows the other (the database grows, the
# machine's load drifts).
for round in $(seq "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then
    without_streams "$round"
    with_streams "$round"
  else
    with_streams "$round"
    without_streams "$round"
  fi
done
ask quit

mw=$(printf '%s\n' "${without_rps[@]}" | median)
ms=$(printf '%s\n' "${with_rps[@]}" | median)
echo
echo "POST /api/v1/orders (median of ${ROUNDS}):"
printf '  %-22s %10s req/s (runs: %s; p50/p99: %s; server CPU µs/req: %s)\n' "no streams" "$mw" \
  "${without_rps[*]}" "${without_lat[*]}" "${without_cpu[*]}"
printf '  %-22s %10s req/s (runs: %s; p50/p99: %s; server CPU µs/req: %s)   %s of no streams\n' \
  "${STREAMS} streams open" "$ms" "${with_rps[*]}" "${with_lat[*]}" "${with_cpu[*]}" \
  "$(awk -v a="$mw" -v b="$ms" 'BEGIN {printf "%.1f%%", 100 * b / a}')"
echo
echo "server RSS, KiB (idle at start: ${rss_idle}):"
printf '  %-5s %14s %14s %14s %14s %14s\n' round "before open" "streams open" "after wrk" "after event" "closed"
for row in "${rss_rows[@]}"; do
  # shellcheck disable=SC2086
  printf '  %-5s %14s %14s %14s %14s %14s\n' $row
done
# Round 1's figure is the one to read: later rounds reuse the memory that the
# streams before them freed (the allocator keeps it), so theirs is lower.
echo "  held per stream (streams open minus before open): ${per_stream[0]} KiB in round 1;" \
  "rounds after it, reusing what it freed: ${per_stream[*]:1}"
echo "  grown per stream when one event reached them all (after event minus after wrk):" \
  "${per_stream_event[0]} KiB in round 1; after it: ${per_stream_event[*]:1}"
echo
echo "idle, over one heartbeat period (${HEARTBEAT_MS} ms): server CPU ${idle_server_without} ms/s" \
  "without streams, ${idle_server_with} ms/s with ${STREAMS} open, which sent ${idle_heartbeats} heartbeats:" \
  "$(awk -v a="$idle_server_without" -v b="$idle_server_with" -v ms="$HEARTBEAT_MS" -v n="$idle_heartbeats" \
    'BEGIN {printf "%.0f µs", (n > 0 ? (b - a) * ms / n : 0)}') of server CPU each" \
  "(the holder, reading them: ${idle_holder_with} ms/s)"
echo
echo "streams:"
for i in "${!opened[@]}"; do
  echo "  round $((i + 1)): ${STREAMS} opened in ${opened[$i]} s; after wrk: ${checks[$i]};" \
    "${events[$i]} (ms after the payment was requested);" \
    "server let go ${released[$i]} s after they closed"
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
