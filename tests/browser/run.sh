#!/usr/bin/env bash
# Runs the browser tests: playwright-core driving Debian's chromium against a
# real paygate (test mode, fresh SQLite file, free port), then stops it.
#   tests/browser/run.sh [path/to/paygate] [node --test args...]
# Screenshots go to tests/out/browser/ (not committed).
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
if [ ! -x /usr/bin/chromium ]; then
  echo "run.sh: /usr/bin/chromium is missing (scripts/install-deps.sh installs it)" >&2
  exit 1
fi
# The lockfile pins playwright-core; installed only when missing or another version.
npm_ci_if_needed "$here" playwright-core

work="$(mktemp -d /tmp/paygate-browser-XXXXXX)"
out="$root/tests/out/browser"
mkdir -p "$out"
pid=""
cleanup() {
  paygate_stop "$pid"
  rm -rf "$work"
}
trap cleanup EXIT

PAYGATE_PROCESSING_DELAY_MS="${PAYGATE_PROCESSING_DELAY_MS:-300}" \
PAYGATE_WEBHOOK_ALLOW_PRIVATE="${PAYGATE_WEBHOOK_ALLOW_PRIVATE:-1}" \
  "$binary" serve --test-mode --listen 127.0.0.1:0 --database "sqlite://$work/paygate.db" \
  >"$work/server.log" 2>&1 &
pid=$!

port="$(paygate_port "$pid" "$work/server.log")" || exit 1

status=0
PAYGATE_URL="http://127.0.0.1:$port" SCREENSHOT_DIR="$out" \
  node --test --test-concurrency=1 "$@" "$here"/tests/*.test.js || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- paygate log (last 50 lines) ---" >&2
  tail -n 50 "$work/server.log" >&2
fi
exit "$status"
