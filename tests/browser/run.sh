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

if [ ! -x "$binary" ]; then
  echo "run.sh: no paygate binary at $binary (build it first: make debug)" >&2
  exit 1
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "run.sh: /usr/bin/chromium is missing (scripts/install-deps.sh installs it)" >&2
  exit 1
fi
# The lockfile pins playwright-core; install it only when missing or another version.
want="$(cd "$here" && node -p 'require("./package-lock.json").packages["node_modules/playwright-core"].version')"
have="$(cd "$here" && node -p 'try { require("./node_modules/playwright-core/package.json").version } catch { "" }')"
if [ "$want" != "$have" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

work="$(mktemp -d /tmp/paygate-browser-XXXXXX)"
out="$root/tests/out/browser"
mkdir -p "$out"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

PAYGATE_PROCESSING_DELAY_MS="${PAYGATE_PROCESSING_DELAY_MS:-300}" \
PAYGATE_WEBHOOK_ALLOW_PRIVATE="${PAYGATE_WEBHOOK_ALLOW_PRIVATE:-1}" \
  "$binary" serve --test-mode --listen 127.0.0.1:0 --database "sqlite://$work/paygate.db" \
  >"$work/server.log" 2>&1 &
pid=$!

port=""
for _ in $(seq 200); do
  port="$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\) .*/\1/p' "$work/server.log" | head -n1)"
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
if [ -z "$port" ]; then
  echo "run.sh: paygate did not start; its log:" >&2
  cat "$work/server.log" >&2
  exit 1
fi

status=0
PAYGATE_URL="http://127.0.0.1:$port" SCREENSHOT_DIR="$out" \
  node --test --test-concurrency=1 "$@" "$here"/tests/*.test.js || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- paygate log (last 50 lines) ---" >&2
  tail -n 50 "$work/server.log" >&2
fi
exit "$status"
