#include "config/config.h"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <thread>

#include "core/master_key.h"

namespace paygate {

namespace {

Error bad_setting(std::string_view name, std::string_view why) {
  return Error::bad_request(std::string(name) + ": " + std::string(why), std::string(name));
}

// The value of one setting: the flag if given, else the environment variable.
std::optional<std::string> lookup(const std::map<std::string, std::string>& flags,
                                  const EnvLookup& env, std::string_view flag,
                                  std::string_view env_name) {
  if (!flag.empty()) {
    if (auto it = flags.find(std::string(flag)); it != flags.end()) return it->second;
  }
  if (!env_name.empty()) {
    if (auto v = env(env_name)) return v;
  }
  return std::nullopt;
}

Status parse_int(std::string_view name, const std::string& text, long long min, long long max,
                 long long& out) {
  long long value = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || p != text.data() + text.size()) {
    return fail(bad_setting(name, "must be a whole number"));
  }
  if (value < min || value > max) {
    return fail(
        bad_setting(name, "must be from " + std::to_string(min) + " to " + std::to_string(max)));
  }
  out = value;
  return {};
}

Status parse_bool(std::string_view name, const std::string& text, bool& out) {
  if (text.empty() || text == "1" || text == "true" || text == "yes" || text == "on") {
    out = true;
  } else if (text == "0" || text == "false" || text == "no" || text == "off") {
    out = false;
  } else {
    return fail(bad_setting(name, "must be 1 or 0"));
  }
  return {};
}

// A secret goes in a header: printable ASCII, no spaces, long enough that
// guessing it (at the auth failure limit's pace) is hopeless.
Status check_token(std::string_view name, std::string_view token) {
  if (token.size() < 32) return fail(bad_setting(name, "must be at least 32 characters"));
  for (const char ch : token) {
    if (ch <= ' ' || ch > '~') {
      return fail(bad_setting(name, "must be printable ASCII without spaces"));
    }
  }
  return {};
}

// A secret given as its text in NAME, or as a file: --FILE-FLAG, else
// NAME_FILE. A file keeps the secret out of the environment of every child
// process and out of `ps`; its content is trimmed of surrounding white space
// (as Prometheus trims its credentials_file). Both at once is refused: which
// one the other side holds would be a guess. Empty values count as unset.
struct GivenSecret {
  std::string text;
  std::string source;  // the setting it came from, for messages
};
Result<std::optional<GivenSecret>> load_secret(const std::map<std::string, std::string>& flags,
                                               const EnvLookup& env, std::string_view file_flag,
                                               std::string_view env_name) {
  const std::string file_env = std::string(env_name) + "_FILE";
  const bool flag_given = flags.contains(std::string(file_flag));
  const auto path = lookup(flags, env, file_flag, file_env);
  const auto inline_text = env(env_name);
  const bool has_file = path && !path->empty();
  const bool has_text = inline_text && !inline_text->empty();
  const std::string file_source = flag_given ? std::string(file_flag) : file_env;
  if (has_file && has_text) {
    return fail(bad_setting(
        file_source, std::string(env_name) + " is set too; give the secret or its file, not both"));
  }
  if (has_text) return GivenSecret{*inline_text, std::string(env_name)};
  if (!has_file) return std::nullopt;
  std::ifstream in(*path, std::ios::binary);
  if (!in) return fail(bad_setting(file_source, "cannot read " + *path));
  std::string content{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const auto first = content.find_first_not_of(" \t\r\n");
  const auto last = content.find_last_not_of(" \t\r\n");
  content = first == std::string::npos ? "" : content.substr(first, last - first + 1);
  return GivenSecret{std::move(content), file_source};
}

Status load_metrics_token(const std::map<std::string, std::string>& flags, const EnvLookup& env,
                          std::string& out) {
  auto token = load_secret(flags, env, "metrics-token-file", "PAYGATE_METRICS_TOKEN");
  if (!token) return fail(token.error());
  if (!*token) return {};
  if (auto s = check_token((*token)->source, (*token)->text); !s) return s;
  out = std::move((*token)->text);
  return {};
}

// A master key (core/master_key.h) as load_secret finds it; "" when none is given.
Status load_key(const std::map<std::string, std::string>& flags, const EnvLookup& env,
                std::string_view file_flag, std::string_view env_name, std::string& key,
                std::string& source) {
  auto given = load_secret(flags, env, file_flag, env_name);
  if (!given) return fail(given.error());
  if (!*given) return {};
  source = (*given)->source;
  auto parsed = parse_master_key((*given)->text, source);
  if (!parsed) return fail(parsed.error());
  key = std::move(*parsed);
  return {};
}

Status load_master_keys(const std::map<std::string, std::string>& flags, const EnvLookup& env,
                        Config& c) {
  if (auto s = load_key(flags, env, "master-key-file", "PAYGATE_MASTER_KEY", c.master_key,
                        c.master_key_source);
      !s) {
    return s;
  }
  std::string previous_source;
  if (auto s = load_key(flags, env, "previous-master-key-file", "PAYGATE_PREVIOUS_MASTER_KEY",
                        c.previous_master_key, previous_source);
      !s) {
    return s;
  }
  if (!c.previous_master_key.empty() && c.master_key.empty()) {
    return fail(bad_setting(previous_source, "a previous master key needs the new one beside it"));
  }
  if (!c.previous_master_key.empty() && c.previous_master_key == c.master_key) {
    return fail(bad_setting(previous_source, "is the master key itself"));
  }
  return {};
}

// Nothing is settled before the simulated processing delay has passed: a
// timeout no longer than the delay would fail every payment (or refund).
Status check_timeouts(const Config& c) {
  const auto refuse = [&](std::string_view timeout, int timeout_ms) {
    return fail(bad_setting("PAYGATE_PROCESSING_DELAY_MS", "must be below " + std::string(timeout) +
                                                               " (" + std::to_string(timeout_ms) +
                                                               "), or every one times out"));
  };
  if (c.processing_delay_ms >= c.processing_timeout_ms) {
    return refuse("PAYGATE_PROCESSING_TIMEOUT_MS", c.processing_timeout_ms);
  }
  if (c.processing_delay_ms >= c.refund_timeout_ms) {
    return refuse("PAYGATE_REFUND_TIMEOUT_MS", c.refund_timeout_ms);
  }
  return {};
}

// http(s)://host[:port], with nothing after it but an ignored trailing /.
Result<std::string> parse_public_url(std::string_view text) {
  const auto bad = [] {
    return fail(bad_setting("PAYGATE_PUBLIC_URL",
                            "must be http(s)://host[:port] with no path, "
                            "e.g. https://pay.example.com"));
  };
  if (text.ends_with('/')) text.remove_suffix(1);
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return bad();
  const std::string_view scheme = text.substr(0, scheme_end);
  const std::string_view authority = text.substr(scheme_end + 3);
  if ((scheme != "http" && scheme != "https") || authority.empty() || authority.size() > 255) {
    return bad();
  }
  for (char ch : authority) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == ':' || ch == '[' ||
                    ch == ']';
    if (!ok) return bad();
  }
  return std::string(text);
}

}  // namespace

Result<std::vector<int>> parse_retry_schedule(std::string_view text) {
  std::vector<int> out;
  while (!text.empty() || out.empty()) {
    const auto comma = text.find(',');
    const std::string item(text.substr(0, comma));
    char* end = nullptr;
    const double seconds = std::strtod(item.c_str(), &end);
    if (item.empty() || end != item.c_str() + item.size() || !(seconds >= 0.01) ||
        seconds > 7 * 86400.0) {
      return fail(bad_setting("PAYGATE_WEBHOOK_RETRY_SCHEDULE",
                              "must be seconds separated by commas, e.g. 60,300,1800,7200"));
    }
    out.push_back(static_cast<int>(seconds * 1000));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  if (out.size() > 20) {
    return fail(bad_setting("PAYGATE_WEBHOOK_RETRY_SCHEDULE", "may have at most 20 delays"));
  }
  return out;
}

EnvLookup process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Status parse_listen(std::string_view text, std::string& host, std::uint16_t& port) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return fail(bad_setting("listen", "must be HOST:PORT, e.g. 127.0.0.1:8000"));
  }
  std::string_view h = text.substr(0, colon);
  if (h.starts_with('[') && h.ends_with(']')) h = h.substr(1, h.size() - 2);
  if (h.empty()) return fail(bad_setting("listen", "must name a host"));
  long long p = 0;
  if (!parse_int("listen", std::string(text.substr(colon + 1)), 0, 65535, p)) {
    return fail(bad_setting("listen", "port must be a number from 0 to 65535"));
  }
  host = std::string(h);
  port = static_cast<std::uint16_t>(p);
  return {};
}

Result<Config> load_config(const std::map<std::string, std::string>& flags, const EnvLookup& env) {
  Config c;
  // A bare --test-mode is "" and means on; an empty PAYGATE_TEST_MODE is unset,
  // not on (test mode publishes the demo merchant's credentials).
  if (auto v = lookup(flags, env, "test-mode", "PAYGATE_TEST_MODE");
      v && (flags.contains("test-mode") || !v->empty())) {
    if (auto s = parse_bool("test-mode", *v, c.test_mode); !s) return fail(s.error());
  }
  if (auto v = lookup(flags, env, "listen", "PAYGATE_LISTEN")) {
    if (auto s = parse_listen(*v, c.listen_host, c.listen_port); !s) return fail(s.error());
  }
  const std::string db_text =
      lookup(flags, env, "database", "DATABASE_URL").value_or("sqlite://./paygate.db");
  auto url = parse_database_url(db_text);
  if (!url) return fail(url.error());
  c.database = std::move(*url);

  if (flags.contains("no-workers")) c.run_workers = false;

  struct IntSetting {
    std::string_view flag;
    std::string_view env;
    long long min;
    long long max;
    int* target;
  };
  int body_int = static_cast<int>(c.max_body_bytes);
  const IntSetting ints[] = {
      {"threads", "PAYGATE_THREADS", 0, 256, &c.threads},
      {"db-readers", "PAYGATE_DB_READERS", 1, 64, &c.db_readers},
      {"db-pool-size", "PAYGATE_DB_POOL_SIZE", 1, 256, &c.db_pool_size},
      {"db-statement-timeout-ms", "PAYGATE_DB_STATEMENT_TIMEOUT_MS", 0, 3'600'000,
       &c.db_statement_timeout_ms},
      {"max-body-bytes", "PAYGATE_MAX_BODY_BYTES", 1024, 64 * 1024 * 1024, &body_int},
      {"max-connections", "PAYGATE_MAX_CONNECTIONS", 1, 1'000'000, &c.max_connections},
      {"read-timeout-ms", "PAYGATE_READ_TIMEOUT_MS", 100, 3'600'000, &c.read_timeout_ms},
      {"idle-timeout-ms", "PAYGATE_IDLE_TIMEOUT_MS", 100, 3'600'000, &c.idle_timeout_ms},
      {"shutdown-timeout-ms", "PAYGATE_SHUTDOWN_TIMEOUT_MS", 0, 3'600'000, &c.shutdown_timeout_ms},
      {"", "PAYGATE_PROCESSING_DELAY_MS", 0, 3'600'000, &c.processing_delay_ms},
      {"", "PAYGATE_PROCESSING_TIMEOUT_MS", 1000, 86'400'000, &c.processing_timeout_ms},
      {"", "PAYGATE_REFUND_TIMEOUT_MS", 1000, 86'400'000, &c.refund_timeout_ms},
      {"", "PAYGATE_RECONCILE_INTERVAL_MS", 100, 3'600'000, &c.reconcile_interval_ms},
      {"", "PAYGATE_SANDBOX_DELAY_MS", 0, 3'600'000, &c.sandbox_delay_ms},
      {"", "PAYGATE_AUTHENTICATION_TIMEOUT_MS", 100, 86'400'000, &c.authentication_timeout_ms},
      {"worker-concurrency", "PAYGATE_WORKER_CONCURRENCY", 1, 100'000, &c.worker_concurrency},
      {"", "PAYGATE_REFUND_CONCURRENCY", 1, 100'000, &c.refund_concurrency},
      {"", "PAYGATE_JOB_LEASE_MS", 100, 3'600'000, &c.job_lease_ms},
      {"", "PAYGATE_JOB_POLL_MS", 10, 60'000, &c.job_poll_ms},
      {"", "PAYGATE_JOB_MAX_DEFERRALS", 0, 1000, &c.job_max_deferrals},
      {"heartbeat-ms", "PAYGATE_HEARTBEAT_MS", 50, 60'000, &c.heartbeat_ms},
      {"process-expiry-ms", "PAYGATE_PROCESS_EXPIRY_MS", 100, 600'000, &c.process_expiry_ms},
      {"", "PAYGATE_IDEMPOTENCY_TTL_MS", 1000, 7 * 86'400'000, &c.idempotency_ttl_ms},
      {"", "PAYGATE_WEBHOOK_TIMEOUT_MS", 100, 600'000, &c.webhook_timeout_ms},
      {"", "PAYGATE_WEBHOOK_CONCURRENCY", 1, 1024, &c.webhook_concurrency},
      {"", "PAYGATE_IDEMPOTENCY_LOCK_MS", 1000, 3'600'000, &c.idempotency_lock_ms},
      {"", "PAYGATE_IDEMPOTENCY_PURGE_INTERVAL_MS", 100, 86'400'000,
       &c.idempotency_purge_interval_ms},
      {"", "PAYGATE_EVENT_RETENTION_DAYS", 1, 3650, &c.event_retention_days},
      {"", "PAYGATE_EVENT_PURGE_INTERVAL_MS", 100, 86'400'000, &c.event_purge_interval_ms},
      {"max-streams", "PAYGATE_MAX_STREAMS", 0, 1'000'000, &c.max_streams},
      {"", "PAYGATE_MAX_STREAMS_PER_MERCHANT", 0, 1'000'000, &c.max_streams_per_merchant},
      {"", "PAYGATE_STREAM_HEARTBEAT_MS", 100, 3'600'000, &c.stream_heartbeat_ms},
      {"", "PAYGATE_STREAM_POLL_MS", 50, 3'600'000, &c.stream_poll_ms},
      {"", "PAYGATE_MAX_QUEUED_WRITES", 1, 10'000'000, &c.max_queued_writes},
      {"", "PAYGATE_MAX_QUEUED_READS", 1, 10'000'000, &c.max_queued_reads},
  };
  for (const auto& s : ints) {
    if (auto v = lookup(flags, env, s.flag, s.env)) {
      long long value = 0;
      const std::string_view name = s.flag.empty() ? s.env : s.flag;
      if (auto st = parse_int(name, *v, s.min, s.max, value); !st) return fail(st.error());
      *s.target = static_cast<int>(value);
    }
  }
  if (auto s = check_timeouts(c); !s) return fail(s.error());
  // A live process must renew its row before it expires, with room for a
  // heartbeat that is late (a slow write): two beats at least.
  if (c.process_expiry_ms < 2 * c.heartbeat_ms) {
    return fail(bad_setting(
        "PAYGATE_PROCESS_EXPIRY_MS",
        "must be at least twice PAYGATE_HEARTBEAT_MS (" + std::to_string(c.heartbeat_ms) + ")"));
  }
  c.max_body_bytes = static_cast<std::size_t>(body_int);
  if (c.threads == 0)
    c.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  if (auto v = env("PAYGATE_FAILURE_RATE")) {
    char* end = nullptr;
    const double rate = std::strtod(v->c_str(), &end);
    if (end != v->c_str() + v->size() || !(rate >= 0.0 && rate <= 1.0)) {
      return fail(bad_setting("PAYGATE_FAILURE_RATE", "must be a number from 0 to 1"));
    }
    c.failure_rate = rate;
  }
  if (c.test_mode) c.webhook_retry_schedule_ms = {5000, 10'000, 15'000, 20'000};
  if (auto v = env("PAYGATE_WEBHOOK_RETRY_SCHEDULE")) {
    auto schedule = parse_retry_schedule(*v);
    if (!schedule) return fail(schedule.error());
    c.webhook_retry_schedule_ms = std::move(*schedule);
  }
  c.webhook_allow_private = c.test_mode;
  if (auto v = env("PAYGATE_WEBHOOK_ALLOW_PRIVATE"); v && !v->empty()) {
    if (auto s = parse_bool("PAYGATE_WEBHOOK_ALLOW_PRIVATE", *v, c.webhook_allow_private); !s) {
      return fail(s.error());
    }
  }
  if (env("PAYGATE_CARD_FINGERPRINT_KEY")) {
    return fail(bad_setting("PAYGATE_CARD_FINGERPRINT_KEY",
                            "is no longer read: card fingerprints are keyed by the master key "
                            "(PAYGATE_MASTER_KEY_FILE; make one with 'paygate keygen')"));
  }
  if (auto s = load_master_keys(flags, env, c); !s) return fail(s.error());
  if (c.test_mode) {
    // Tests fire hundreds of requests a second from one address and key.
    c.rate_limit = c.public_rate_limit = c.auth_failure_limit = std::nullopt;
  }
  struct LimitSetting {
    std::string_view env;
    std::optional<RateLimit>* target;
  };
  const LimitSetting limits[] = {
      {"PAYGATE_RATE_LIMIT", &c.rate_limit},
      {"PAYGATE_PUBLIC_RATE_LIMIT", &c.public_rate_limit},
      {"PAYGATE_AUTH_FAILURE_LIMIT", &c.auth_failure_limit},
  };
  for (const auto& l : limits) {
    if (auto v = env(l.env); v && !v->empty()) {
      auto parsed = parse_rate_limit(*v);
      if (!parsed) return fail(bad_setting(l.env, parsed.error().description));
      *l.target = *parsed;
    }
  }
  if (auto v = env("PAYGATE_TRUSTED_PROXIES")) {
    auto proxies = TrustedProxies::parse(*v);
    if (!proxies) return fail(proxies.error());
    c.trusted_proxies = std::move(*proxies);
  }
  if (auto v = env("PAYGATE_PUBLIC_URL"); v && !v->empty()) {
    auto public_url = parse_public_url(*v);
    if (!public_url) return fail(public_url.error());
    c.public_url = std::move(*public_url);
  }
  if (auto v = lookup(flags, env, "log-level", "PAYGATE_LOG_LEVEL")) {
    static constexpr std::string_view kLevels[] = {"trace", "debug", "info",
                                                   "warn",  "error", "off"};
    bool known = false;
    for (auto l : kLevels) known = known || *v == l;
    if (!known)
      return fail(bad_setting("log-level", "must be trace, debug, info, warn, error or off"));
    c.log_level = *v;
  }
  if (auto v = lookup(flags, env, "log-format", "PAYGATE_LOG_FORMAT")) {
    if (*v != "text" && *v != "json")
      return fail(bad_setting("log-format", "must be text or json"));
    c.log_format = *v;
  }
  if (auto s = load_metrics_token(flags, env, c.metrics_token); !s) return fail(s.error());
  return c;
}

}  // namespace paygate
