#include "store/migrations.h"

#include <set>
#include <string>

#include "core/clock.h"

namespace paygate::store {

namespace {

// Money is BIGINT minor units; time is BIGINT microseconds since the epoch,
// UTC. Both mean the same on SQLite and PostgreSQL.
constexpr Migration kMigrations[] = {
    {1, "merchants and orders", R"sql(
CREATE TABLE merchants (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  email       TEXT NOT NULL,
  api_key     TEXT NOT NULL UNIQUE,
  secret_hash TEXT NOT NULL,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL
);
CREATE TABLE orders (
  id          TEXT PRIMARY KEY,
  merchant_id TEXT NOT NULL REFERENCES merchants(id),
  amount      BIGINT NOT NULL CHECK (amount > 0),
  currency    TEXT NOT NULL,
  status      TEXT NOT NULL,
  receipt     TEXT,
  notes       TEXT NOT NULL,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL
);
CREATE INDEX orders_by_merchant_time ON orders (merchant_id, created_at DESC, id DESC);
CREATE TABLE settings (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql"},
    {2, "payments and the job queue", R"sql(
CREATE TABLE payments (
  id                    TEXT PRIMARY KEY,
  order_id              TEXT NOT NULL REFERENCES orders(id),
  merchant_id           TEXT NOT NULL REFERENCES merchants(id),
  amount                BIGINT NOT NULL CHECK (amount > 0),
  currency              TEXT NOT NULL,
  method                TEXT NOT NULL,
  status                TEXT NOT NULL,
  captured              INTEGER NOT NULL DEFAULT 0,
  capture_requested     INTEGER NOT NULL DEFAULT 0,
  error_code            TEXT,
  error_description     TEXT,
  vpa                   TEXT,
  card_network          TEXT,
  card_last4            TEXT,
  card_expiry_month     INTEGER,
  card_expiry_year      INTEGER,
  card_fingerprint      TEXT,
  processing_started_at BIGINT,
  finished_at           BIGINT,
  created_at            BIGINT NOT NULL,
  updated_at            BIGINT NOT NULL
);
CREATE INDEX payments_by_merchant_time ON payments (merchant_id, created_at DESC, id DESC);
CREATE INDEX payments_by_order ON payments (order_id);
CREATE INDEX payments_processing ON payments (status, processing_started_at);
-- At most one successful payment per order, whatever the code above it does.
CREATE UNIQUE INDEX payments_one_success_per_order ON payments (order_id) WHERE status = 'SUCCESS';

CREATE TABLE jobs (
  id           TEXT PRIMARY KEY,
  queue        TEXT NOT NULL,
  kind         TEXT NOT NULL,
  subject_id   TEXT NOT NULL,
  state        TEXT NOT NULL,
  attempts     INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  run_at       BIGINT NOT NULL,
  lease_until  BIGINT,
  last_error   TEXT,
  created_at   BIGINT NOT NULL,
  updated_at   BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (state, run_at);
)sql"},
    {3, "refunds", R"sql(
CREATE TABLE refunds (
  id                    TEXT PRIMARY KEY,
  payment_id            TEXT NOT NULL REFERENCES payments(id),
  merchant_id           TEXT NOT NULL REFERENCES merchants(id),
  amount                BIGINT NOT NULL CHECK (amount > 0),
  status                TEXT NOT NULL,
  reason                TEXT,
  error_code            TEXT,
  error_description     TEXT,
  processing_started_at BIGINT,
  created_at            BIGINT NOT NULL,
  updated_at            BIGINT NOT NULL
);
CREATE INDEX refunds_by_merchant_time ON refunds (merchant_id, created_at DESC, id DESC);
CREATE INDEX refunds_by_payment ON refunds (payment_id);
-- The sum of PROCESSED refunds, kept in the transaction that processes each.
ALTER TABLE payments ADD COLUMN amount_refunded BIGINT NOT NULL DEFAULT 0;
)sql"},
    {4, "idempotency keys", R"sql(
-- One row per merchant and key: the primary key is what makes one request
-- win when retries race, on one server or many.
CREATE TABLE idempotency_keys (
  merchant_id     TEXT NOT NULL,
  idem_key        TEXT NOT NULL,
  fingerprint     TEXT NOT NULL,
  state           TEXT NOT NULL,
  response_status INTEGER,
  response_body   TEXT,
  locked_until    BIGINT NOT NULL,
  created_at      BIGINT NOT NULL,
  expires_at      BIGINT NOT NULL,
  PRIMARY KEY (merchant_id, idem_key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
)sql"},
    {5, "webhooks", R"sql(
CREATE TABLE webhook_endpoints (
  id                         TEXT PRIMARY KEY,
  merchant_id                TEXT NOT NULL REFERENCES merchants(id),
  url                        TEXT NOT NULL,
  secret                     TEXT NOT NULL,
  previous_secret            TEXT,
  previous_secret_expires_at BIGINT,
  events                     TEXT NOT NULL,
  active                     INTEGER NOT NULL,
  created_at                 BIGINT NOT NULL,
  updated_at                 BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_by_merchant ON webhook_endpoints (merchant_id);
CREATE TABLE events (
  id          TEXT PRIMARY KEY,
  merchant_id TEXT NOT NULL,
  type        TEXT NOT NULL,
  payload     TEXT NOT NULL,
  created_at  BIGINT NOT NULL
);
CREATE TABLE webhook_deliveries (
  id              TEXT PRIMARY KEY,
  merchant_id     TEXT NOT NULL,
  webhook_id      TEXT NOT NULL,
  event_id        TEXT NOT NULL REFERENCES events(id),
  event_type      TEXT NOT NULL,
  status          TEXT NOT NULL,
  attempts        INTEGER NOT NULL,
  response_code   TEXT,
  response_body   TEXT,
  next_attempt_at BIGINT,
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_by_merchant_time
  ON webhook_deliveries (merchant_id, created_at DESC, id DESC);
CREATE TABLE webhook_attempts (
  id            TEXT PRIMARY KEY,
  delivery_id   TEXT NOT NULL REFERENCES webhook_deliveries(id),
  number        INTEGER NOT NULL,
  attempted_at  BIGINT NOT NULL,
  response_code INTEGER,
  duration_ms   BIGINT NOT NULL,
  error         TEXT,
  response_body TEXT
);
CREATE INDEX webhook_attempts_by_delivery ON webhook_attempts (delivery_id);
-- Every change of a payment or refund bumps its version, so a receiver can
-- tell a stale event from a fresh one.
ALTER TABLE payments ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE refunds ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
)sql"},
    {6, "running totals for stats", R"sql(
-- Per merchant, for every hour (span_hours 1) and every day (span_hours 24)
-- of creation, keyed by the span's first hour (created_at / 3600000000):
-- counts and amounts named "payment:<method>:total|SUCCESS|FAILED",
-- "refund:total|PROCESSED|FAILED", "delivery:total|success|failed" and
-- "delivery_retries", kept up to date by the transactions that change those
-- objects. shard spreads one hot total over several rows where writers run
-- concurrently.
CREATE TABLE stats_counters (
  merchant_id TEXT NOT NULL,
  span_hours  BIGINT NOT NULL,
  hour        BIGINT NOT NULL,
  metric      TEXT NOT NULL,
  shard       BIGINT NOT NULL,
  count       BIGINT NOT NULL,
  amount      BIGINT NOT NULL,
  PRIMARY KEY (merchant_id, span_hours, hour, metric, shard)
);
-- Settled payments' processing times (finished_at - processing_started_at),
-- bucketed: exact below 100 us, else by decimal length and first two digits.
CREATE TABLE payment_latency_stats (
  merchant_id TEXT NOT NULL,
  span_hours  BIGINT NOT NULL,
  hour        BIGINT NOT NULL,
  bucket      BIGINT NOT NULL,
  count       BIGINT NOT NULL,
  sum_us      BIGINT NOT NULL,
  min_us      BIGINT NOT NULL,
  max_us      BIGINT NOT NULL,
  PRIMARY KEY (merchant_id, span_hours, hour, bucket)
);
CREATE TABLE stats_spans (span_hours BIGINT NOT NULL);
INSERT INTO stats_spans (span_hours) VALUES (1), (24);
INSERT INTO stats_counters (merchant_id, span_hours, hour, metric, shard, count, amount)
  SELECT merchant_id, span_hours, created_at / 3600000000 / span_hours * span_hours,
         'payment:' || method || ':total', 0, count(*), sum(amount)
  FROM payments, stats_spans
  GROUP BY merchant_id, span_hours, created_at / 3600000000 / span_hours * span_hours, method;
INSERT INTO stats_counters (merchant_id, span_hours, hour, metric, shard, count, amount)
  SELECT merchant_id, span_hours, created_at / 3600000000 / span_hours * span_hours,
         'payment:' || method || ':' || status, 0, count(*), sum(amount)
  FROM payments, stats_spans WHERE status IN ('SUCCESS', 'FAILED')
  GROUP BY merchant_id, span_hours, created_at / 3600000000 / span_hours * span_hours, method,
           status;
INSERT INTO stats_counters (merchant_id, span_hours, hour, metric, shard, count, amount)
  SELECT merchant_id, span_hours, created_at / 3600000000 / span_hours * span_hours,
         'refund:total', 0, count(*), sum(amount)
  FROM refunds, stats_spans
  GROUP BY merchant_id, span_hours, created_at / 3600000000 / span_hours * span_hours;
INSERT INTO stats_counters (merchant_id, span_hours, hour, metric, shard, count, amount)
  SELECT merchant_id, span_hours, created_at / 3600000000 / span_hours * span_hours,
         'refund:' || status, 0, count(*), sum(amount)
  FROM refunds, stats_spans WHERE status IN ('PROCESSED', 'FAILED')
  GROUP BY merchant_id, span_hours, created_at / 3600000000 / span_hours * span_hours, status;
INSERT INTO stats_counters (merchant_id, span_hours, hour, metric, shard, count, amount)
  SELECT merchant_id, span_hours, created_at / 3600000000 / span_hours * span_hours,
         'delivery:total', 0, count(*), 0
  FROM webhook_deliveries, stats_spans
  GROUP BY merchant_id, span_hours, created_at / 3600000000 / span_hours * span_hours;
INSERT INTO stats_counters (merchant_id, span_hours, hour, metric, shard, count, amount)
  SELECT merchant_id, span_hours, created_at / 3600000000 / span_hours * span_hours,
         'delivery:' || status, 0, count(*), 0
  FROM webhook_deliveries, stats_spans WHERE status IN ('success', 'failed')
  GROUP BY merchant_id, span_hours, created_at / 3600000000 / span_hours * span_hours, status;
INSERT INTO stats_counters (merchant_id, span_hours, hour, metric, shard, count, amount)
  SELECT merchant_id, span_hours, created_at / 3600000000 / span_hours * span_hours,
         'delivery_retries', 0, sum(attempts - 1), 0
  FROM webhook_deliveries, stats_spans WHERE attempts > 1
  GROUP BY merchant_id, span_hours, created_at / 3600000000 / span_hours * span_hours;
INSERT INTO payment_latency_stats
    (merchant_id, span_hours, hour, bucket, count, sum_us, min_us, max_us)
  SELECT merchant_id, span_hours, hour, bucket, count(*), sum(latency), min(latency), max(latency)
  FROM (SELECT merchant_id, span_hours, created_at / 3600000000 / span_hours * span_hours AS hour,
               finished_at - processing_started_at AS latency,
               CASE WHEN finished_at - processing_started_at < 100
                    THEN finished_at - processing_started_at
                    ELSE length(CAST(finished_at - processing_started_at AS TEXT)) * 100
                         + CAST(substr(CAST(finished_at - processing_started_at AS TEXT), 1, 2)
                                AS BIGINT) END AS bucket
        FROM payments, stats_spans
        WHERE status IN ('SUCCESS', 'FAILED') AND processing_started_at IS NOT NULL
          AND finished_at IS NOT NULL) AS settled
  GROUP BY merchant_id, span_hours, hour, bucket;
DROP TABLE stats_spans;
)sql"},
    {7, "versions for webhook endpoints and deliveries", R"sql(
-- Writes on PostgreSQL run side by side at READ COMMITTED: an UPDATE only
-- lands on the version it read, so that two read-modify-writes of one row
-- (a manual retry and a delivery attempt, a PATCH and a rotation) cannot
-- silently undo each other. Payments and refunds have had one since 5.
ALTER TABLE webhook_endpoints ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE webhook_deliveries ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
)sql"},
    {8, "time indexes in ascending order", R"sql(
-- A newer row has a larger created_at. In an index kept in descending order
-- every insert lands on its leftmost page, and a B-tree splits such a page in
-- half: the index ends up half empty and each commit writes more pages.
-- Ascending, inserts append on the right, where both SQLite and PostgreSQL
-- fill pages; the newest-first lists read the same index backwards.
DROP INDEX orders_by_merchant_time;
CREATE INDEX orders_by_merchant_time ON orders (merchant_id, created_at, id);
DROP INDEX payments_by_merchant_time;
CREATE INDEX payments_by_merchant_time ON payments (merchant_id, created_at, id);
DROP INDEX refunds_by_merchant_time;
CREATE INDEX refunds_by_merchant_time ON refunds (merchant_id, created_at, id);
DROP INDEX webhook_deliveries_by_merchant_time;
CREATE INDEX webhook_deliveries_by_merchant_time
  ON webhook_deliveries (merchant_id, created_at, id);
)sql"},
    {9, "nothing recoverable from a copy of the database", R"sql(
-- Card fingerprints were keyed by a value kept in this very table, so a copy
-- of the database could test guesses of a card number against them. They are
-- now keyed by a key derived from the master key, which never enters the
-- database; the old key is deleted and the fingerprints made under it are
-- cleared (they could not be matched against new ones anyway). A cleared
-- payment keeps its last4, network and expiry; only the simulated
-- processor's refund-failure test card is no longer recognised on it.
UPDATE payments SET card_fingerprint = NULL WHERE card_fingerprint IS NOT NULL;
DELETE FROM settings WHERE name = 'card_fingerprint_key';
-- A merchant whose key may not be used (the demo merchant outside test mode).
ALTER TABLE merchants ADD COLUMN disabled_at BIGINT;
)sql"},
    {10, "all-time running totals for /metrics", R"sql(
-- /metrics summed every day row (1.08 s a scrape at 2M rows, holding a
-- reader all the while). All merchants' all-time totals are rows of their
-- own, merchant_id '*' (no merchant's id), span_hours 0 and hour 0, kept by
-- the same statement that adds to a merchant's hour and day, so a scrape
-- reads one row per metric and writer shard, found by the primary key.
-- Readers of a window ask for a merchant and span 1 or 24, and never see
-- them. Built from the day rows, which hold every count since migration 6
-- (taken back ones included).
INSERT INTO stats_counters (merchant_id, span_hours, hour, metric, shard, count, amount)
  SELECT '*', 0, 0, metric, shard, sum(count), sum(amount)
  FROM stats_counters WHERE span_hours = 24
  GROUP BY metric, shard;
)sql"},
    {11, "job queues that cannot starve each other", R"sql(
-- Each queue claims its own jobs up to its own budget: the index leads with
-- the queue. deferrals counts the runs put off because the database could not
-- be used, which spend no attempt but are bounded all the same.
DROP INDEX jobs_due;
CREATE INDEX jobs_due ON jobs (queue, state, run_at);
ALTER TABLE jobs ADD COLUMN deferrals INTEGER NOT NULL DEFAULT 0;
)sql"},
    {12, "the janitor of payments and refunds not yet final", R"sql(
-- The janitor asks, every reconcile interval, whether a CREATED payment still
-- has a live job, and which refunds are PENDING since before the timeout:
-- each a lookup, not a scan of every job or refund ever made.
CREATE INDEX jobs_by_subject ON jobs (subject_id);
CREATE INDEX refunds_pending ON refunds (status, created_at);
)sql"},
    {13, "what the Razorpay dialect shows: attempts, notes, refund currency", R"sql(
-- An order's attempts are counted as each payment is made, in its transaction,
-- rather than by a count on every read. Payments and refunds take notes like
-- orders do; a refund keeps its payment's currency so that lists of refunds
-- need no join.
ALTER TABLE orders ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
UPDATE orders SET attempts = (SELECT count(*) FROM payments p WHERE p.order_id = orders.id);
ALTER TABLE payments ADD COLUMN notes TEXT NOT NULL DEFAULT '{}';
ALTER TABLE refunds ADD COLUMN notes TEXT NOT NULL DEFAULT '{}';
ALTER TABLE refunds ADD COLUMN currency TEXT NOT NULL DEFAULT 'INR';
UPDATE refunds SET currency = (SELECT currency FROM payments p WHERE p.id = refunds.payment_id);
)sql"},
    {14, "the merchant's sealed key secret, for checkout signatures", R"sql(
-- Razorpay's checkout hands the shopper's browser razorpay_signature, an HMAC
-- under the merchant's key secret, which the hash alone cannot make. The
-- secret is kept sealed by the master key (like webhook secrets) beside its
-- hash; NULL for merchants made before, until they next authenticate.
ALTER TABLE merchants ADD COLUMN secret_sealed TEXT;
)sql"},
    {15, "webhook formats", R"sql(
-- An endpoint's events come in paygate's shape or in Razorpay's. Each event is
-- rendered in its endpoint's format when it happens, and keeps that format, so
-- that every attempt is signed the way its bytes are shaped whatever the
-- endpoint has become since.
ALTER TABLE webhook_endpoints ADD COLUMN format TEXT NOT NULL DEFAULT 'paygate';
ALTER TABLE events ADD COLUMN format TEXT NOT NULL DEFAULT 'paygate';
)sql"},
    {16, "the events log", R"sql(
-- Every event is kept in paygate's shape, subscribed or not, for the events
-- API and its streams. seq numbers a merchant's events in the order their
-- transactions commit: the next is taken from merchants.event_seq, whose row
-- the taking transaction holds until it commits, so a stream that has seen
-- seq n has seen every event before it. Events in other formats (rendered for
-- an endpoint of that format) have no seq and are not listed.
ALTER TABLE merchants ADD COLUMN event_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN seq BIGINT;
ALTER TABLE events ADD COLUMN object_id TEXT;
CREATE UNIQUE INDEX events_by_merchant_seq ON events (merchant_id, seq);
CREATE INDEX events_by_merchant_time ON events (merchant_id, created_at DESC, id DESC);
CREATE INDEX events_by_object ON events (merchant_id, object_id);
CREATE INDEX events_by_time ON events (created_at);
CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (event_id);
)sql"},
    {17, "the sandbox: scripted outcomes and the shopper's authentication step", R"sql(
-- Test mode's X-Paygate-Test-Outcome, kept with its payment until the job
-- that processes it reads it. A test instrument that asks the shopper to
-- authenticate keeps the step here: its status (pending while the payment
-- waits, CREATED, then approved, rejected, failed or expired), the hosted
-- page's URL with its token, until when it may be answered, and the wrong
-- OTPs so far.
ALTER TABLE payments ADD COLUMN test_outcome TEXT;
ALTER TABLE payments ADD COLUMN authentication_status TEXT;
ALTER TABLE payments ADD COLUMN authentication_url TEXT;
ALTER TABLE payments ADD COLUMN authentication_expires_at BIGINT;
ALTER TABLE payments ADD COLUMN authentication_failures INTEGER NOT NULL DEFAULT 0;
)sql"},
    {18, "the processes of a deployment, and which holds each running job", R"sql(
-- Every serve and worker process keeps a row of its own, renewed by a
-- heartbeat: expires_at passed means it stopped (or lost the database). API
-- processes count the live API rows to take their share of each rate limit;
-- /test/jobs/status lists them. A claimed job records its claimer, so that
-- each process's running jobs can be counted (jobs_running_by_claimer holds
-- only running jobs: a few, however long the history).
CREATE TABLE processes (
  id           TEXT PRIMARY KEY,
  api          INTEGER NOT NULL,
  workers      INTEGER NOT NULL,
  host         TEXT NOT NULL,
  pid          BIGINT NOT NULL,
  version      TEXT NOT NULL,
  started_at   BIGINT NOT NULL,
  heartbeat_at BIGINT NOT NULL,
  expires_at   BIGINT NOT NULL
);
ALTER TABLE jobs ADD COLUMN claimed_by TEXT;
CREATE INDEX jobs_running_by_claimer ON jobs (claimed_by) WHERE state = 'running';
)sql"},
};

constexpr Sql kCreateTable{
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"};
constexpr Sql kApplied{"SELECT version FROM schema_migrations"};
constexpr Sql kRecord{
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)"};

}  // namespace

std::span<const Migration> all_migrations() {
  return kMigrations;
}

Status apply_migrations(Connection& conn, Backend /*backend*/) {
  if (auto r = conn.execute(kCreateTable, {}); !r) return fail(r.error());
  std::set<std::int64_t> applied;
  auto r = conn.execute(kApplied, {}, [&](const Row& row) { applied.insert(row.int64(0)); });
  if (!r) return fail(r.error());
  for (const auto& m : kMigrations) {
    if (applied.contains(m.version)) continue;
    if (auto s = conn.execute_script(m.sql); !s) {
      Error e = s.error();
      e.description = "migration " + std::to_string(m.version) + " failed: " + e.description;
      return fail(std::move(e));
    }
    const Param params[] = {std::int64_t{m.version}, m.name, now_micros()};
    if (auto rec = conn.execute(kRecord, params); !rec) return fail(rec.error());
  }
  return {};
}

}  // namespace paygate::store
