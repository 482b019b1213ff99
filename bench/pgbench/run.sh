#!/usr/bin/env bash
# The inside of bench/pg-ceiling.sh, run by tests/pg/with-postgres.sh.
set -euo pipefail
pgbench=${PG_BINDIR:-/usr/lib/postgresql/15/bin}/pgbench
url="${PAYGATE_TEST_PG_URL}bench"
psql "${PAYGATE_TEST_PG_URL}postgres" -qc "CREATE DATABASE bench"
"$BIN" migrate --database "$url" >/dev/null
psql "$url" -q -f bench/pgbench/setup.sql
show() { psql "$url" -Atc "SHOW $1"; }
echo "PostgreSQL $(show server_version) fsync=$(show fsync)" \
  "synchronous_commit=$(show synchronous_commit), $(nproc) cores," \
  "pgbench -M prepared -c $CLIENTS -j 2 -T $DURATION"
for scenario in create_order get_order; do
  tps=$("$pgbench" -n -M prepared -c "$CLIENTS" -j 2 -T "$DURATION" \
    -D merchant_id=m_bench -D order_id=order_bench -f "bench/pgbench/$scenario.sql" "$url" |
    awk '/^tps/ {print $3}')
  printf '%-14s %10.0f transactions/s\n' "$scenario" "$tps"
done
