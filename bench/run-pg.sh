#!/usr/bin/env bash
# bench/run.sh on a local PostgreSQL 15 of its own, with PostgreSQL's default
# settings (fsync on, synchronous_commit on): every acknowledged write durable.
#   bench/run-pg.sh            (or: make bench-pg)
set -euo pipefail
cd "$(dirname "$0")/.."
PG_DURABLE=1 exec tests/pg/with-postgres.sh bash -c \
  'psql "${PAYGATE_TEST_PG_URL}postgres" -qc "CREATE DATABASE bench" && BENCH_DATABASE="${PAYGATE_TEST_PG_URL}bench" bash bench/run.sh'
