// Command-line flags and environment variables, resolved once at start into
// one immutable Config that the rest of the program reads.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/database_url.h"
#include "config/trusted_proxies.h"
#include "core/error.h"
#include "core/rate_limiter.h"

namespace paygate {

struct Config {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8000;
  DatabaseUrl database;
  bool test_mode = false;
  bool run_workers = true;
  int threads = 0;  // I/O threads; resolved to the core count
  int db_readers = 2;
  int db_pool_size = 4;  // PostgreSQL: write connections per process (plus db_readers)
  int db_statement_timeout_ms = 10'000;  // PostgreSQL: longest statement; 0: no limit
  std::size_t max_body_bytes = 64 * 1024;
  int max_connections = 10'000;
  int read_timeout_ms = 10'000;  // a whole request, once its first byte arrived
  int idle_timeout_ms = 60'000;  // a keep-alive connection with no request
  int shutdown_timeout_ms = 10'000;
  int processing_delay_ms = 1000;
  double failure_rate = 0.0;
  int processing_timeout_ms = 300'000;  // PROCESSING longer than this is settled FAILED
  int refund_timeout_ms = 300'000;  // PENDING longer than this (from creation) is settled FAILED
  int reconcile_interval_ms = 10'000;
  // The sandbox (docs/API.md, "Testing"): how long the slow test instruments
  // take (a payment's PROCESSING, a refund's PENDING), and how long a shopper
  // has to answer an authentication step.
  int sandbox_delay_ms = 30'000;
  int authentication_timeout_ms = 180'000;
  // "https://pay.example.com": where browsers reach this server, for the
  // pages whose URLs answers carry (next_action.url); "" takes the request's Host.
  std::string public_url;
  // Each queue's budget of jobs in flight per worker process: payments
  // (gateway_jobs), refunds (gateway_refunds) and webhook deliveries
  // (gateway_webhooks, one per delivery thread: webhook_concurrency).
  int worker_concurrency = 256;
  int refund_concurrency = 64;
  int job_lease_ms = 30'000;  // a claimed job is taken again when its worker is silent this long
  int job_poll_ms = 500;
  int job_max_deferrals = 20;  // runs put off for an unusable database, then dead
  // Every process renews its row in the processes table this often; a row not
  // renewed for process_expiry_ms no longer counts (its process died), and the
  // other API processes take over its share of the rate limits.
  int heartbeat_ms = 2000;
  int process_expiry_ms = 6000;
  int idempotency_ttl_ms = 86'400'000;  // a key's first answer is replayed this long
  int idempotency_lock_ms = 60'000;     // a key still running this long is taken over
  int idempotency_purge_interval_ms = 60'000;
  // The events log: how long events (and their deliveries) are kept, and how
  // often the purge runs.
  int event_retention_days = 30;
  int event_purge_interval_ms = 3'600'000;
  // Live streams (Server-Sent Events): most open per process and per
  // merchant, the heartbeat comment's period, and how often a stream process
  // looks for events committed where it could not hear them (another SQLite
  // process; a lost PostgreSQL notification).
  int max_streams = 1000;
  int max_streams_per_merchant = 20;
  int stream_heartbeat_ms = 15'000;
  int stream_poll_ms = 1000;
  // Delays after each failed webhook attempt (test mode: seconds, not minutes).
  std::vector<int> webhook_retry_schedule_ms{60'000, 300'000, 1'800'000, 7'200'000};
  int webhook_timeout_ms = 5000;
  bool webhook_allow_private = false;  // on in test mode unless set
  int webhook_concurrency = 32;        // deliveries in flight: HTTP threads, and the queue's budget
  // The master key's 32 bytes (core/master_key.h), never kept in the
  // database; empty when none was given (only test mode may then run, with a
  // key of its own). previous_master_key: while rotating, the one replaced.
  std::string master_key;
  std::string master_key_source;  // where it came from, for messages
  std::string previous_master_key;
  std::string log_level = "info";
  // Token buckets; nullopt is no limit. All three are off in test mode unless set.
  std::optional<RateLimit> rate_limit = RateLimit{100, 200};               // per API key
  std::optional<RateLimit> public_rate_limit = RateLimit{100, 200};        // per client address
  std::optional<RateLimit> auth_failure_limit = RateLimit{20.0 / 60, 20};  // per client address
  TrustedProxies trusted_proxies;  // whose X-Forwarded-For is believed
  int max_queued_writes = 10'000;  // writes waiting for the writer; more get 503 at once
  int max_queued_reads = 10'000;
  std::string log_format = "text";  // text | json
  // The bearer token a /metrics scrape must send; empty: every scrape is refused.
  std::string metrics_token;
};

using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;
EnvLookup process_env();

// flags: flag name without dashes -> value ("" for a boolean flag given bare).
// Flags win over the environment, which wins over the defaults.
Result<Config> load_config(const std::map<std::string, std::string>& flags, const EnvLookup& env);

// "60,300,1800,7200": seconds (decimals allowed) between webhook attempts.
Result<std::vector<int>> parse_retry_schedule(std::string_view text);

// "127.0.0.1:8000", "[::1]:8000", "localhost:0".
Status parse_listen(std::string_view text, std::string& host, std::uint16_t& port);

}  // namespace paygate
