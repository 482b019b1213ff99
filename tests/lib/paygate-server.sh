# Shared by the node test runners (tests/browser/run.sh, tests/razorpay/run.sh):
# install a pinned npm package when missing, start a paygate on a free port and
# stop it again. Source it; it defines functions only.

# npm_ci_if_needed DIR PACKAGE [NPM FLAGS...]: `npm ci` in DIR unless
# node_modules already holds PACKAGE at the version its package-lock.json pins.
npm_ci_if_needed() {
  local dir=$1 package=$2 want have
  shift 2
  want="$(cd "$dir" && node -p "require('./package-lock.json').packages['node_modules/$package'].version")"
  have="$(cd "$dir" && node -p "try { require('./node_modules/$package/package.json').version } catch { '' }")"
  if [ "$want" != "$have" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error "$@")
  fi
}

# paygate_stop PID: SIGTERM, up to 5 s to drain, then SIGKILL.
paygate_stop() {
  local pid=$1
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
}

# paygate_port PID LOG: the port a `serve --listen 127.0.0.1:0` logged, once it
# listens (up to 10 s); prints its log and fails when it does not.
paygate_port() {
  local pid=$1 log=$2 port=""
  for _ in $(seq 200); do
    port="$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\) .*/\1/p' "$log" | head -n1)"
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if [ -z "$port" ]; then
    echo "paygate did not start; its log:" >&2
    cat "$log" >&2
    return 1
  fi
  echo "$port"
}
