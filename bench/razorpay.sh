#!/usr/bin/env bash
# What the Razorpay dialect costs: POST /v1/orders and GET /v1/orders/{id}
# beside their /api/v1 twins, on one Release server and one SQLite file. The
# twins run alternately, ROUNDS times each, so that drift of the machine
# (other load, a hypervisor's steal) falls on both; the median of each is
# printed with its ratio to its twin.
#   bench/razorpay.sh          (after: make release)
#   ROUNDS=5 DURATION=10s CONNECTIONS=64 bench/razorpay.sh
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${PAYGATE_BIN:-build/release/paygate}
DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-3}
PORT=${PORT:-18082}
URL="http://127.0.0.1:${PORT}"

[ -x "$BIN" ] || { echo "build first: make release" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing: bash scripts/install-deps.sh" >&2; exit 1; }

work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
"$BIN" serve --test-mode --listen "127.0.0.1:${PORT}" --database "sqlite://${work}/bench.db" \
  --log-level warn >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do
  curl -sf "$URL/health" >/dev/null && break
  sleep 0.1
done

order_id=$(curl -sf -u key_test_abc123:secret_test_xyz789 -H 'Content-Type: application/json' \
  -X POST "$URL/v1/orders" -d '{"amount":50000}' | sed -E 's/.*"id":"([^"]+)".*/\1/')

# requests/s, p50 and p99 of one wrk run, on one line.
measure() {
  local path=$1 script=$2 out
  out=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "bench/lua/$script" \
    "$URL$path")
  if grep -q 'Non-2xx' <<<"$out"; then
    echo "bench/razorpay.sh: $path answered errors:" >&2
    echo "$out" >&2
    exit 1
  fi
  awk '/Requests\/sec/ {r = $2} $1 == "50%" {p50 = $2} $1 == "99%" {p99 = $2}
       END {print r, p50, p99}' <<<"$out"
}

median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# name_a path_a script_a name_b path_b script_b: alternate runs, then medians.
pair() {
  local a_rps=() b_rps=() a_lat=() b_lat=()
  for _ in $(seq "$ROUNDS"); do
    read -r r p50 p99 < <(measure "$2" "$3"); a_rps+=("$r"); a_lat+=("$p50/$p99")
    read -r r p50 p99 < <(measure "$5" "$6"); b_rps+=("$r"); b_lat+=("$p50/$p99")
  done
  local ma mb
  ma=$(printf '%s\n' "${a_rps[@]}" | median)
  mb=$(printf '%s\n' "${b_rps[@]}" | median)
  printf '%-22s %10s req/s (runs: %s; p50/p99: %s)\n' "$1" "$ma" "${a_rps[*]}" "${a_lat[*]}"
  printf '%-22s %10s req/s (runs: %s; p50/p99: %s)   %s of its twin\n' "$4" "$mb" "${b_rps[*]}" \
    "${b_lat[*]}" "$(awk -v a="$ma" -v b="$mb" 'BEGIN {printf "%.1f%%", 100 * b / a}')"
}

echo "paygate Razorpay-dialect bench: $(nproc) cores, wrk -t${WRK_THREADS} -c${CONNECTIONS}" \
  "-d${DURATION}, ${ROUNDS} alternating rounds, SQLite WAL synchronous=FULL"
pair "POST /api/v1/orders" /api/v1/orders create_order.lua \
  "POST /v1/orders" /v1/orders rzp_create_order.lua
pair "GET /api/v1/orders/{id}" "/api/v1/orders/${order_id}" auth_get.lua \
  "GET /v1/orders/{id}" "/v1/orders/${order_id}" rzp_get.lua
