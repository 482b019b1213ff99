#!/usr/bin/env bash
# Runs the official razorpay npm SDK (pinned by package-lock.json) against a
# real paygate's Razorpay-compatible /v1 API: test mode, a fresh SQLite file,
# a free port, a short processing delay; then stops it.
#   tests/razorpay/run.sh [path/to/paygate] [node --test args...]
# The tests use the demo merchant, plus a second merchant made with
# `paygate merchant create` (passed as PAYGATE_OTHER_MERCHANT).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
binary="${1:-$root/build/debug/paygate}"
shift || true
binary="$(realpath "$binary")"
# shellcheck source=../lib/paygate-server.sh
. "$root/tests/lib/paygate-server.sh"

if [ ! -x "$binary" ]; then
  echo "run.sh: no paygate binary at $binary (build it first: make debug)" >&2
  exit 1
fi
# The lockfile pins razorpay; installed only when missing or another version
# (no install scripts run: none is needed).
npm_ci_if_needed "$here" razorpay --ignore-scripts

work="$(mktemp -d /tmp/paygate-razorpay-XXXXXX)"
pid=""
cleanup() {
  paygate_stop "$pid"
  rm -rf "$work"
}
trap cleanup EXIT

database="sqlite://$work/paygate.db"
# One master key for the server and `merchant create` (which seals the new
# merchant's secret with it, for checkout signatures).
"$binary" keygen --out "$work/master.key" >/dev/null
export PAYGATE_MASTER_KEY_FILE="$work/master.key"

PAYGATE_PROCESSING_DELAY_MS="${PAYGATE_PROCESSING_DELAY_MS:-150}" \
PAYGATE_WEBHOOK_ALLOW_PRIVATE="${PAYGATE_WEBHOOK_ALLOW_PRIVATE:-1}" \
  "$binary" serve --test-mode --listen 127.0.0.1:0 --database "$database" \
  >"$work/server.log" 2>&1 &
pid=$!

port="$(paygate_port "$pid" "$work/server.log")" || exit 1

if ! other="$("$binary" merchant create --name "SDK Other" --email sdk-other@example.com \
  --database "$database" 2>"$work/merchant.log")"; then
  echo "run.sh: paygate merchant create failed:" >&2
  cat "$work/merchant.log" >&2
  exit 1
fi

status=0
# The receiver and paygate are both on 127.0.0.1: no proxy between them.
NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}" \
PAYGATE_URL="http://127.0.0.1:$port" PAYGATE_OTHER_MERCHANT="$other" \
  node --test --test-concurrency=1 "$@" "$here"/tests/*.test.js || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- paygate log (last 50 lines) ---" >&2
  tail -n 50 "$work/server.log" >&2
fi
exit "$status"
