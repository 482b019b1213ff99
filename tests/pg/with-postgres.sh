#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL 15 of its own:
#   tests/pg/with-postgres.sh ctest -L e2e
# initdb into a temporary directory (as the `postgres` user when run as root:
# PostgreSQL refuses to run as root), start it on a free port on 127.0.0.1,
# export where it is, run the command, and stop and remove the cluster however
# the command ends. The e2e harness reads:
#   PAYGATE_TEST_BACKEND=postgres
#   PAYGATE_TEST_PG_URL   postgres://postgres@127.0.0.1:PORT/  (a database name is appended)
#   PAYGATE_TEST_PG_CTL   a command prefix running pg_ctl on this cluster (outage tests)
# PG_DURABLE=1 keeps PostgreSQL's default durability (for benchmarks).
set -euo pipefail

bindir=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
if [ ! -x "$bindir/initdb" ]; then
  echo "with-postgres: $bindir/initdb not found (apt-get install postgresql)" >&2
  exit 2
fi

dir=$(mktemp -d /tmp/paygate-pg-XXXXXX)
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$dir"
  as_pg=(runuser -u postgres --)
fi
data="$dir/data"
pg_ctl=("${as_pg[@]}" "$bindir/pg_ctl" -D "$data")

cleanup() {
  "${pg_ctl[@]}" stop -m immediate -w >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"${as_pg[@]}" "$bindir/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
  >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }

cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 400
CONF
# Test settings: many short-lived databases; durability is not what the tests
# measure. PG_DURABLE=1 (the bench) keeps PostgreSQL's defaults: fsync on,
# synchronous_commit on.
if [ "${PG_DURABLE:-0}" != 1 ]; then
  printf 'fsync = off\nfull_page_writes = off\nsynchronous_commit = off\n' >>"$data/postgresql.conf"
fi

port=""
for _ in $(seq 1 20); do
  candidate=$((20000 + RANDOM % 30000))
  if "${pg_ctl[@]}" start -w -t 30 -l "$dir/server.log" -o "-p $candidate" >/dev/null 2>&1; then
    port=$candidate
    break
  fi
done
if [ -z "$port" ]; then
  echo "with-postgres: PostgreSQL did not start" >&2
  cat "$dir/server.log" >&2 || true
  exit 1
fi

export PAYGATE_TEST_BACKEND=postgres
export PAYGATE_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/"
export PAYGATE_TEST_PG_CTL="${pg_ctl[*]} -o '-p $port' -l $dir/server.log"
echo "with-postgres: PostgreSQL on 127.0.0.1:$port ($dir)"

set +e
"$@"
status=$?
exit $status
