#!/usr/bin/env bash
# Checks the Debian package `make deb` built (issue #22):
#   tests/package/run.sh build/release/paygate_<version>_amd64.deb
# - lintian reports no error, and its file list is tests/package/files.txt;
# - systemd-analyze verifies both units, and rates each "OK" or better
#   (an exposure of 2.0 or less);
# - the package unpacked into a temporary root: its paygate runs version,
#   keygen, migrate and serve (with the packaged settings file, its paths moved
#   into that root) and answers /api/v1/health;
# - as root on a machine without paygate installed: dpkg -i makes the user and
#   the master key (never printed) and migrates; installing again (an upgrade)
#   keeps the key and the database; purge removes the key and the settings
#   but keeps the database. PAYGATE_PACKAGE_INSTALL_TEST=0 skips this part.
set -euo pipefail
cd "$(dirname "$0")/../.."

deb=${1:?usage: tests/package/run.sh PACKAGE.deb}
deb=$(realpath "$deb")
version=$(sed -n 's/^project(paygate VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
work=$(mktemp -d /tmp/paygate-package-XXXXXX)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill -9 "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

failures=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; failures=$((failures + 1)); }
check() {  # check NAME COMMAND...: passes when COMMAND succeeds
  local name=$1; shift
  if "$@" > "$work/check.log" 2>&1; then pass "$name"; else fail "$name"; sed 's/^/     /' "$work/check.log"; fi
}

# ---- the package itself ----
if [ "$(basename "$deb")" = "paygate_${version}_amd64.deb" ]; then
  pass "file name paygate_${version}_amd64.deb"
else
  fail "file name: $(basename "$deb"), expected paygate_${version}_amd64.deb"
fi

lintian --fail-on error --display-level ">=warning" "$deb" > "$work/lintian.log" 2>&1 && lint=0 || lint=$?
sed 's/^/     lintian: /' "$work/lintian.log"
if [ "$lint" -eq 0 ]; then pass "lintian: no error"; else fail "lintian exited $lint"; fi

dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' | sort > "$work/files.txt"
if diff -u tests/package/files.txt "$work/files.txt" > "$work/files.diff"; then
  pass "file list is tests/package/files.txt"
else
  fail "file list differs from tests/package/files.txt"; sed 's/^/     /' "$work/files.diff"
fi

depends=$(dpkg-deb -f "$deb" Depends)
echo "     Depends: $depends"
for lib in libc6 libstdc++6 libsqlite3-0 libpq5 libcurl4 libssl3 libsystemd0 adduser init-system-helpers; do
  if [[ ", $depends," == *", $lib"[\ ,]* ]]; then pass "depends on $lib"; else fail "no dependency on $lib"; fi
done
dpkg-deb -e "$deb" "$work/control"
check "conffiles: /etc/paygate/paygate.env" grep -qx /etc/paygate/paygate.env "$work/control/conffiles"
for script in postinst prerm postrm; do
  check "$script is executable" test -x "$work/control/$script"
done

# ---- the units ----
root="$work/root"
dpkg-deb -x "$deb" "$root"
# verify loads the units as systemd would, dependencies included: give the
# root the host's units beside the package's.
mkdir -p "$root/lib/systemd/system"
cp -n /lib/systemd/system/*.target "$root/lib/systemd/system/" 2>/dev/null || true
check "systemd-analyze verify" systemd-analyze verify --man=no --root="$root" paygate.service paygate-worker.service
for unit in paygate.service paygate-worker.service; do
  line=$(systemd-analyze security --offline=true --root="$root" "$unit" 2>&1 | grep 'Overall exposure level' || true)
  exposure=$(echo "$line" | sed -n 's/.*service: \([0-9][0-9.]*\).*/\1/p')
  echo "     $unit: ${line#→ }"
  if [ -n "$exposure" ] && awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }'; then
    pass "$unit exposure $exposure (2.0 or less)"
  else
    fail "$unit exposure '${exposure}' (want 2.0 or less)"
  fi
done

# ---- the unpacked binary, with the packaged settings moved into the root ----
paygate="$root/usr/bin/paygate"
if [[ "$("$paygate" version)" =~ ^paygate\ ${version//./\\.}\ \(commit\ [0-9a-f]{12}(-dirty)?\)$ ]]; then
  pass "paygate version: $("$paygate" version)"
else
  fail "paygate version printed '$("$paygate" version)'"
fi
mkdir -p "$root/var/lib/paygate"
settings=()
while IFS= read -r line; do
  case "$line" in [A-Za-z_]*=*) settings+=("$line") ;; esac
done < <(sed -e "s|/var/lib/paygate|$root/var/lib/paygate|g" -e "s|/etc/paygate|$root/etc/paygate|g" \
           "$root/etc/paygate/paygate.env")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
settings+=("PAYGATE_LISTEN=127.0.0.1:$port")
keygen_out=$("$paygate" keygen --out "$root/etc/paygate/master.key")
key=$(cat "$root/etc/paygate/master.key")
if [[ "$key" =~ ^[0-9a-f]{64}$ ]] && [ "$(stat -c %a "$root/etc/paygate/master.key")" = 600 ] &&
   [[ "$keygen_out" != *"$key"* ]]; then
  pass "keygen: a 0600 key file of 64 hex digits, not printed"
else
  fail "keygen: '$keygen_out', mode $(stat -c %a "$root/etc/paygate/master.key")"
fi
check "migrate against a database in the root" env "${settings[@]}" "$paygate" migrate
check "the database is under the root" test -s "$root/var/lib/paygate/paygate.db"
env "${settings[@]}" "$paygate" serve > "$work/serve.log" 2>&1 &
server_pid=$!
health=""
for _ in $(seq 1 100); do
  health=$(curl -fsS "http://127.0.0.1:$port/api/v1/health" 2>/dev/null) && break
  sleep 0.1
done
if [[ "$health" == *'"status":"healthy"'* ]]; then pass "serve answers /api/v1/health"; else fail "health: '$health'"; sed 's/^/     /' "$work/serve.log"; fi
kill -TERM "$server_pid"
if wait "$server_pid"; then pass "serve stops on SIGTERM with 0"; else fail "serve exited $? on SIGTERM"; fi
server_pid=""

# ---- installed for real: install, upgrade, purge ----
if [ "${PAYGATE_PACKAGE_INSTALL_TEST:-1}" = 0 ] || [ "$(id -u)" -ne 0 ] ||
   dpkg-query -W -f='${Status}' paygate 2>/dev/null | grep -q installed || [ -e /var/lib/paygate ]; then
  echo "skip install/upgrade/purge: needs root, no paygate installed and no /var/lib/paygate (or PAYGATE_PACKAGE_INSTALL_TEST=0)"
else
  installed_cleanup() {
    dpkg --purge paygate > /dev/null 2>&1 || true
    rm -rf /var/lib/paygate
    deluser --system --quiet paygate > /dev/null 2>&1 || true
  }
  trap 'installed_cleanup; cleanup' EXIT
  check "dpkg -i" dpkg -i "$deb"
  install_log=$(cat "$work/check.log")
  check "the paygate system user" id -u paygate
  key_file=/etc/paygate/master.key
  check "the master key: 0600, owned by paygate" \
    test "$(stat -c '%a %U' "$key_file" 2>/dev/null)" = "600 paygate"
  first_key=$(cat "$key_file" 2>/dev/null || true)
  if [ -n "$first_key" ] && [[ "$install_log" != *"$first_key"* ]]; then pass "the key is not printed"; else fail "the key was printed or not made"; fi
  check "migrated at install: /var/lib/paygate/paygate.db owned by paygate" \
    test "$(stat -c %U /var/lib/paygate/paygate.db 2>/dev/null)" = paygate
  sqlite3 /var/lib/paygate/paygate.db "INSERT INTO settings (name, value) VALUES ('package-test', 'kept')"
  check "dpkg -i again (an upgrade)" dpkg -i "$deb"
  check "the upgrade keeps the key" test "$(cat "$key_file")" = "$first_key"
  check "the upgrade keeps the database" test "$(sqlite3 /var/lib/paygate/paygate.db \
    "SELECT value FROM settings WHERE name = 'package-test'")" = kept
  check "dpkg --purge" dpkg --purge paygate
  check "purge removes the key" test ! -e "$key_file"
  check "purge removes the settings" test ! -e /etc/paygate/paygate.env
  check "purge keeps the database" test -s /var/lib/paygate/paygate.db
  installed_cleanup
  trap cleanup EXIT
fi

if [ "$failures" -ne 0 ]; then
  echo "package: $failures check(s) failed"
  exit 1
fi
echo "package: all checks passed"
