#include "config/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>

#include "config/database_url.h"
#include "core/master_key.h"
#include "store/postgres/pg_database.h"

namespace paygate {
namespace {

using Flags = std::map<std::string, std::string>;

// An environment made of exactly these variables.
EnvLookup fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// ---- parse_database_url ----

TEST(DatabaseUrl, SqliteAbsolutePath) {
  auto u = parse_database_url("sqlite:///abs/path.db");
  ASSERT_TRUE(u) << u.error().description;
  EXPECT_EQ(u->kind, DatabaseUrl::Kind::sqlite);
  EXPECT_EQ(u->sqlite_path, "/abs/path.db");
  EXPECT_EQ(u->text, "sqlite:///abs/path.db");
}

TEST(DatabaseUrl, SqliteRelativePath) {
  auto u = parse_database_url("sqlite://rel/path.db");
  ASSERT_TRUE(u) << u.error().description;
  EXPECT_EQ(u->kind, DatabaseUrl::Kind::sqlite);
  EXPECT_EQ(u->sqlite_path, "rel/path.db");

  auto dot = parse_database_url("sqlite://./paygate.db");
  ASSERT_TRUE(dot) << dot.error().description;
  EXPECT_EQ(dot->sqlite_path, "./paygate.db");

  auto bare = parse_database_url("sqlite://x.db");
  ASSERT_TRUE(bare) << bare.error().description;
  EXPECT_EQ(bare->sqlite_path, "x.db");
}

TEST(DatabaseUrl, Postgres) {
  auto u = parse_database_url("postgres://user:pass@host:5433/db");
  ASSERT_TRUE(u) << u.error().description;
  EXPECT_EQ(u->kind, DatabaseUrl::Kind::postgres);
  EXPECT_EQ(u->host, "host");
  EXPECT_EQ(u->port, 5433);
  EXPECT_EQ(u->user, "user");
  EXPECT_EQ(u->password, "pass");
  EXPECT_EQ(u->database, "db");
  EXPECT_EQ(u->text, "postgres://user:pass@host:5433/db");
}

TEST(DatabaseUrl, PostgresqlSchemeAndDefaults) {
  auto u = parse_database_url("postgresql://app:pw@db.internal/paygate");
  ASSERT_TRUE(u) << u.error().description;
  EXPECT_EQ(u->kind, DatabaseUrl::Kind::postgres);
  EXPECT_EQ(u->host, "db.internal");
  EXPECT_EQ(u->port, 5432);
  EXPECT_EQ(u->user, "app");
  EXPECT_EQ(u->password, "pw");
  EXPECT_EQ(u->database, "paygate");

  auto no_user = parse_database_url("postgres://localhost:6543/x");
  ASSERT_TRUE(no_user) << no_user.error().description;
  EXPECT_EQ(no_user->host, "localhost");
  EXPECT_EQ(no_user->port, 6543);
  EXPECT_EQ(no_user->user, "");
  EXPECT_EQ(no_user->password, "");
  EXPECT_EQ(no_user->database, "x");

  auto user_only = parse_database_url("postgres://bob@h/d");
  ASSERT_TRUE(user_only) << user_only.error().description;
  EXPECT_EQ(user_only->user, "bob");
  EXPECT_EQ(user_only->password, "");
}

TEST(DatabaseUrl, PostgresPercentEncodedPassword) {
  auto u = parse_database_url("postgres://user:p%40ss%3Aword@host/db");
  ASSERT_TRUE(u) << u.error().description;
  EXPECT_EQ(u->password, "p@ss:word");
  EXPECT_EQ(u->host, "host");
}

void expect_bad_url(std::string_view text) {
  auto u = parse_database_url(text);
  ASSERT_FALSE(u) << "accepted: " << text;
  EXPECT_EQ(u.error().code, ErrorCode::bad_request) << text;
  EXPECT_EQ(u.error().field, "DATABASE_URL") << text;
  EXPECT_TRUE(contains(u.error().description, "DATABASE_URL")) << u.error().description;
}

TEST(DatabaseUrl, BadScheme) {
  expect_bad_url("");
  expect_bad_url("nope");
  expect_bad_url("mysql://x");
  expect_bad_url("mysql://user:pw@host/db");
  expect_bad_url("sqlite:/x.db");
  expect_bad_url("http://host/db");
  expect_bad_url("/abs/path.db");
}

TEST(DatabaseUrl, EmptyOrDirectorySqlitePath) {
  expect_bad_url("sqlite://");
  expect_bad_url("sqlite:///");
  expect_bad_url("sqlite:///tmp/");
}

TEST(DatabaseUrl, BadPort) {
  expect_bad_url("postgres://u:p@host:0/db");
  expect_bad_url("postgres://u:p@host:65536/db");
  expect_bad_url("postgres://u:p@host:99999999999/db");
  expect_bad_url("postgres://u:p@host:abc/db");
  auto max = parse_database_url("postgres://u:p@host:65535/db");
  ASSERT_TRUE(max) << max.error().description;
  EXPECT_EQ(max->port, 65535);
}

TEST(DatabaseUrl, MissingDatabaseName) {
  expect_bad_url("postgres://u:p@host:5432");
  expect_bad_url("postgres://u:p@host:5432/");
  expect_bad_url("postgresql://host");
  expect_bad_url("postgres://host/a/b");
}

TEST(DatabaseUrl, RedactedHidesThePassword) {
  auto u = parse_database_url("postgres://user:s3cretpw@host:5433/db");
  ASSERT_TRUE(u);
  const std::string r = u->redacted();
  EXPECT_FALSE(contains(r, "s3cretpw")) << r;
  EXPECT_TRUE(contains(r, "user")) << r;
  EXPECT_TRUE(contains(r, "host:5433/db")) << r;
  EXPECT_EQ(r, "postgres://user:***@host:5433/db");
  // The URL itself is kept as given.
  EXPECT_EQ(u->text, "postgres://user:s3cretpw@host:5433/db");
}

TEST(DatabaseUrl, RedactedHidesAPasswordContainingAColon) {
  // RFC 3986 allows ':' in the password part of userinfo.
  auto u = parse_database_url("postgresql://admin:top:sekret@db:5432/pg");
  ASSERT_TRUE(u) << u.error().description;
  EXPECT_EQ(u->user, "admin");
  EXPECT_EQ(u->password, "top:sekret");
  const std::string r = u->redacted();
  EXPECT_FALSE(contains(r, "top")) << r;
  EXPECT_FALSE(contains(r, "sekret")) << r;
  EXPECT_EQ(r, "postgresql://admin:***@db:5432/pg");
}

TEST(DatabaseUrl, RedactedLeavesUrlsWithoutPasswordAlone) {
  auto sqlite = parse_database_url("sqlite:///var/lib/paygate.db");
  ASSERT_TRUE(sqlite);
  EXPECT_EQ(sqlite->redacted(), "sqlite:///var/lib/paygate.db");
  auto pg = parse_database_url("postgres://bob@host/db");
  ASSERT_TRUE(pg);
  EXPECT_EQ(pg->redacted(), "postgres://bob@host/db");
}

TEST(PgConninfo, AddsTimeoutsAndKeepalivesToAUrlWithoutQuery) {
  auto url = parse_database_url("postgres://bob@host/db");
  ASSERT_TRUE(url);
  EXPECT_EQ(store::pg_conninfo(*url),
            "postgres://bob@host/db?connect_timeout=3&application_name=paygate"
            "&keepalives_idle=10&keepalives_interval=5&keepalives_count=3");
}

TEST(PgConninfo, KeepsWhatTheOperatorSet) {
  auto url = parse_database_url("postgres://bob@host/db?sslmode=require&connect_timeout=9");
  ASSERT_TRUE(url);
  const std::string info = store::pg_conninfo(*url);
  EXPECT_TRUE(info.starts_with(url->text + "&application_name=paygate")) << info;
  EXPECT_EQ(info.find("connect_timeout=3"), std::string::npos) << info;
}

// ---- parse_listen ----

TEST(ParseListen, Ipv4) {
  std::string host;
  std::uint16_t port = 1;
  ASSERT_TRUE(parse_listen("127.0.0.1:8000", host, port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 8000);
  ASSERT_TRUE(parse_listen("0.0.0.0:65535", host, port));
  EXPECT_EQ(host, "0.0.0.0");
  EXPECT_EQ(port, 65535);
}

TEST(ParseListen, BracketedIpv6) {
  std::string host;
  std::uint16_t port = 0;
  ASSERT_TRUE(parse_listen("[::1]:9000", host, port));
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 9000);
  ASSERT_TRUE(parse_listen("[::]:80", host, port));
  EXPECT_EQ(host, "::");
  EXPECT_EQ(port, 80);
}

TEST(ParseListen, HostnameAndPortZero) {
  std::string host;
  std::uint16_t port = 1234;
  ASSERT_TRUE(parse_listen("localhost:0", host, port));
  EXPECT_EQ(host, "localhost");
  EXPECT_EQ(port, 0);
}

TEST(ParseListen, BadInputs) {
  for (const char* bad : {"", "8000", ":8000", "localhost", "localhost:", "localhost:65536",
                          "localhost:-1", "localhost:80x", "localhost: 80", "localhost:+80",
                          "[]:80", "[::1]", "127.0.0.1:99999999999999999999"}) {
    std::string host = "unchanged";
    std::uint16_t port = 4321;
    auto s = parse_listen(bad, host, port);
    ASSERT_FALSE(s) << "accepted: '" << bad << "'";
    EXPECT_EQ(s.error().field, "listen") << bad;
    EXPECT_EQ(s.error().code, ErrorCode::bad_request) << bad;
    EXPECT_EQ(host, "unchanged") << bad;
    EXPECT_EQ(port, 4321) << bad;
  }
}

// ---- load_config ----

TEST(LoadConfig, Defaults) {
  auto c = load_config({}, fake_env({}));
  ASSERT_TRUE(c) << c.error().description;
  EXPECT_EQ(c->listen_host, "127.0.0.1");
  EXPECT_EQ(c->listen_port, 8000);
  EXPECT_EQ(c->database.kind, DatabaseUrl::Kind::sqlite);
  EXPECT_EQ(c->database.sqlite_path, "./paygate.db");
  EXPECT_FALSE(c->test_mode);
  EXPECT_TRUE(c->run_workers);
  EXPECT_EQ(c->processing_delay_ms, 1000);
  EXPECT_EQ(c->failure_rate, 0.0);
  EXPECT_EQ(c->db_readers, 2);
  EXPECT_EQ(c->max_body_bytes, 64u * 1024u);
  EXPECT_EQ(c->log_level, "info");
  EXPECT_EQ(c->threads, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

TEST(LoadConfig, StatementTimeoutFromFlagOrEnvironment) {
  auto plain = load_config({}, fake_env({}));
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->db_statement_timeout_ms, 10'000);
  auto from_env = load_config({}, fake_env({{"PAYGATE_DB_STATEMENT_TIMEOUT_MS", "0"}}));
  ASSERT_TRUE(from_env);
  EXPECT_EQ(from_env->db_statement_timeout_ms, 0);
  auto from_flag = load_config(Flags{{"db-statement-timeout-ms", "2500"}}, fake_env({}));
  ASSERT_TRUE(from_flag);
  EXPECT_EQ(from_flag->db_statement_timeout_ms, 2500);
  EXPECT_FALSE(load_config(Flags{{"db-statement-timeout-ms", "-1"}}, fake_env({})));
}

TEST(LoadConfig, FromEnvironment) {
  auto c = load_config({}, fake_env({
                               {"PAYGATE_LISTEN", "0.0.0.0:9001"},
                               {"DATABASE_URL", "sqlite:///var/lib/pg.db"},
                               {"PAYGATE_TEST_MODE", "1"},
                               {"PAYGATE_PROCESSING_DELAY_MS", "0"},
                               {"PAYGATE_FAILURE_RATE", "0.25"},
                               {"PAYGATE_THREADS", "3"},
                               {"PAYGATE_DB_READERS", "4"},
                               {"PAYGATE_MAX_BODY_BYTES", "1024"},
                               {"PAYGATE_LOG_LEVEL", "debug"},
                           }));
  ASSERT_TRUE(c) << c.error().description;
  EXPECT_EQ(c->listen_host, "0.0.0.0");
  EXPECT_EQ(c->listen_port, 9001);
  EXPECT_EQ(c->database.sqlite_path, "/var/lib/pg.db");
  EXPECT_TRUE(c->test_mode);
  EXPECT_EQ(c->processing_delay_ms, 0);
  EXPECT_DOUBLE_EQ(c->failure_rate, 0.25);
  EXPECT_EQ(c->threads, 3);
  EXPECT_EQ(c->db_readers, 4);
  EXPECT_EQ(c->max_body_bytes, 1024u);
  EXPECT_EQ(c->log_level, "debug");
}

TEST(LoadConfig, PostgresFromEnvironment) {
  auto c = load_config({}, fake_env({{"DATABASE_URL", "postgres://u:p@h:5433/d"}}));
  ASSERT_TRUE(c) << c.error().description;
  EXPECT_EQ(c->database.kind, DatabaseUrl::Kind::postgres);
  EXPECT_EQ(c->database.port, 5433);
}

TEST(LoadConfig, TestModeValues) {
  for (const char* on : {"1", "true", "yes", "on"}) {
    auto c = load_config({}, fake_env({{"PAYGATE_TEST_MODE", on}}));
    ASSERT_TRUE(c) << on;
    EXPECT_TRUE(c->test_mode) << on;
  }
  for (const char* off : {"0", "false", "no", "off"}) {
    auto c = load_config({}, fake_env({{"PAYGATE_TEST_MODE", off}}));
    ASSERT_TRUE(c) << off;
    EXPECT_FALSE(c->test_mode) << off;
  }
  auto bad = load_config({}, fake_env({{"PAYGATE_TEST_MODE", "maybe"}}));
  ASSERT_FALSE(bad);
  EXPECT_TRUE(contains(bad.error().description, "test-mode")) << bad.error().description;
}

// Test mode creates a merchant with published credentials: an empty variable
// (PAYGATE_TEST_MODE= in an env file) must not switch it on.
TEST(LoadConfig, EmptyTestModeVariableIsOff) {
  auto c = load_config({}, fake_env({{"PAYGATE_TEST_MODE", ""}}));
  ASSERT_TRUE(c) << c.error().description;
  EXPECT_FALSE(c->test_mode);
}

TEST(LoadConfig, BareTestModeFlagIsOn) {
  auto c = load_config({{"test-mode", ""}}, fake_env({}));
  ASSERT_TRUE(c) << c.error().description;
  EXPECT_TRUE(c->test_mode);
  // The flag wins over an environment that says off.
  auto over = load_config({{"test-mode", ""}}, fake_env({{"PAYGATE_TEST_MODE", "0"}}));
  ASSERT_TRUE(over);
  EXPECT_TRUE(over->test_mode);
}

TEST(LoadConfig, FlagsOverrideEnvironment) {
  auto c = load_config({{"listen", "127.0.0.1:7000"},
                        {"database", "sqlite://flag.db"},
                        {"threads", "5"},
                        {"log-level", "warn"}},
                       fake_env({{"PAYGATE_LISTEN", "0.0.0.0:9001"},
                                 {"DATABASE_URL", "sqlite://env.db"},
                                 {"PAYGATE_THREADS", "2"},
                                 {"PAYGATE_LOG_LEVEL", "debug"}}));
  ASSERT_TRUE(c) << c.error().description;
  EXPECT_EQ(c->listen_host, "127.0.0.1");
  EXPECT_EQ(c->listen_port, 7000);
  EXPECT_EQ(c->database.sqlite_path, "flag.db");
  EXPECT_EQ(c->threads, 5);
  EXPECT_EQ(c->log_level, "warn");
}

TEST(LoadConfig, FlagOverridesABadEnvironmentValue) {
  auto c = load_config({{"database", "sqlite://ok.db"}}, fake_env({{"DATABASE_URL", "nope"}}));
  ASSERT_TRUE(c) << c.error().description;
  EXPECT_EQ(c->database.sqlite_path, "ok.db");
}

TEST(LoadConfig, NoWorkersFlag) {
  auto c = load_config({{"no-workers", ""}}, fake_env({}));
  ASSERT_TRUE(c) << c.error().description;
  EXPECT_FALSE(c->run_workers);
}

// Expects load_config to fail naming the setting `name`.
void expect_config_error(const Flags& flags, std::map<std::string, std::string> env,
                         std::string_view name) {
  auto c = load_config(flags, fake_env(std::move(env)));
  ASSERT_FALSE(c) << "accepted; expected an error about " << name;
  EXPECT_EQ(c.error().code, ErrorCode::bad_request);
  EXPECT_TRUE(contains(c.error().description, name)) << c.error().description;
  EXPECT_TRUE(contains(c.error().field, name)) << c.error().field;
}

TEST(LoadConfig, BadNumbersNameTheSetting) {
  expect_config_error({}, {{"PAYGATE_THREADS", "abc"}}, "threads");
  expect_config_error({}, {{"PAYGATE_THREADS", ""}}, "threads");
  expect_config_error({}, {{"PAYGATE_THREADS", "2x"}}, "threads");
  expect_config_error({}, {{"PAYGATE_THREADS", "1.5"}}, "threads");
  expect_config_error({{"threads", "abc"}}, {}, "threads");
  expect_config_error({}, {{"PAYGATE_PROCESSING_DELAY_MS", "soon"}}, "PAYGATE_PROCESSING_DELAY_MS");
  expect_config_error({}, {{"PAYGATE_FAILURE_RATE", "abc"}}, "PAYGATE_FAILURE_RATE");
  expect_config_error({}, {{"PAYGATE_FAILURE_RATE", "0.5x"}}, "PAYGATE_FAILURE_RATE");
  expect_config_error({}, {{"PAYGATE_FAILURE_RATE", "nan"}}, "PAYGATE_FAILURE_RATE");
  expect_config_error({}, {{"PAYGATE_DB_READERS", "many"}}, "db-readers");
  expect_config_error({{"max-body-bytes", "64k"}}, {}, "max-body-bytes");
}

TEST(LoadConfig, OutOfRangeNumbersNameTheSetting) {
  expect_config_error({}, {{"PAYGATE_THREADS", "-1"}}, "threads");
  expect_config_error({}, {{"PAYGATE_THREADS", "257"}}, "threads");
  expect_config_error({}, {{"PAYGATE_THREADS", "99999999999999999999"}}, "threads");
  expect_config_error({}, {{"PAYGATE_PROCESSING_DELAY_MS", "-1"}}, "PAYGATE_PROCESSING_DELAY_MS");
  expect_config_error({}, {{"PAYGATE_PROCESSING_DELAY_MS", "3600001"}},
                      "PAYGATE_PROCESSING_DELAY_MS");
  expect_config_error({}, {{"PAYGATE_FAILURE_RATE", "1.5"}}, "PAYGATE_FAILURE_RATE");
  expect_config_error({}, {{"PAYGATE_FAILURE_RATE", "-0.1"}}, "PAYGATE_FAILURE_RATE");
  expect_config_error({}, {{"PAYGATE_FAILURE_RATE", "inf"}}, "PAYGATE_FAILURE_RATE");
  expect_config_error({}, {{"PAYGATE_DB_READERS", "0"}}, "db-readers");
  expect_config_error({}, {{"PAYGATE_MAX_BODY_BYTES", "1023"}}, "max-body-bytes");
  expect_config_error({{"max-connections", "0"}}, {}, "max-connections");
  expect_config_error({{"read-timeout-ms", "99"}}, {}, "read-timeout-ms");
}

TEST(LoadConfig, RangeEndsAreAccepted) {
  auto c =
      load_config({{"threads", "256"}}, fake_env({{"PAYGATE_PROCESSING_DELAY_MS", "3600000"},
                                                  {"PAYGATE_PROCESSING_TIMEOUT_MS", "86400000"},
                                                  {"PAYGATE_REFUND_TIMEOUT_MS", "86400000"},
                                                  {"PAYGATE_FAILURE_RATE", "1"},
                                                  {"PAYGATE_DB_READERS", "64"}}));
  ASSERT_TRUE(c) << c.error().description;
  EXPECT_EQ(c->threads, 256);
  EXPECT_EQ(c->processing_delay_ms, 3'600'000);
  EXPECT_EQ(c->failure_rate, 1.0);
  EXPECT_EQ(c->db_readers, 64);
  auto zero = load_config({}, fake_env({{"PAYGATE_FAILURE_RATE", "0"}}));
  ASSERT_TRUE(zero);
  EXPECT_EQ(zero->failure_rate, 0.0);
}

// A delay at or above a timeout would time out every payment (or refund):
// refused at start rather than accepted.
TEST(LoadConfig, ProcessingDelayMustBeBelowTheTimeouts) {
  const auto refused = [](std::map<std::string, std::string> env, std::string_view timeout) {
    expect_config_error({}, env, "PAYGATE_PROCESSING_DELAY_MS");
    auto c = load_config({}, fake_env(std::move(env)));
    ASSERT_FALSE(c);
    EXPECT_TRUE(contains(c.error().description, timeout)) << c.error().description;
  };
  refused({{"PAYGATE_PROCESSING_DELAY_MS", "300000"}}, "PAYGATE_PROCESSING_TIMEOUT_MS");
  refused({{"PAYGATE_PROCESSING_DELAY_MS", "5000"}, {"PAYGATE_PROCESSING_TIMEOUT_MS", "1000"}},
          "PAYGATE_PROCESSING_TIMEOUT_MS");
  refused({{"PAYGATE_PROCESSING_DELAY_MS", "2000"},
           {"PAYGATE_PROCESSING_TIMEOUT_MS", "60000"},
           {"PAYGATE_REFUND_TIMEOUT_MS", "2000"}},
          "PAYGATE_REFUND_TIMEOUT_MS");
  auto c = load_config({}, fake_env({{"PAYGATE_PROCESSING_DELAY_MS", "999"},
                                     {"PAYGATE_PROCESSING_TIMEOUT_MS", "1000"},
                                     {"PAYGATE_REFUND_TIMEOUT_MS", "1000"}}));
  ASSERT_TRUE(c) << c.error().description;
  EXPECT_EQ(c->processing_timeout_ms, 1000);
  EXPECT_EQ(c->refund_timeout_ms, 1000);
  auto defaults = load_config({}, fake_env({}));
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->refund_timeout_ms, 300'000);
}

TEST(LoadConfig, BadListenAndDatabaseAndLogLevel) {
  expect_config_error({}, {{"PAYGATE_LISTEN", "nope"}}, "listen");
  expect_config_error({{"listen", "127.0.0.1:70000"}}, {}, "listen");
  expect_config_error({}, {{"DATABASE_URL", "nope"}}, "DATABASE_URL");
  expect_config_error({{"database", "mysql://x"}}, {}, "DATABASE_URL");
  expect_config_error({}, {{"PAYGATE_LOG_LEVEL", "verbose"}}, "log-level");
}

// ---- the /metrics token ----

constexpr std::string_view kToken = "0123456789abcdef0123456789abcdef";  // 32 characters

// A file of its own under the temporary directory, removed at the end of the test.
struct SecretFile {
  explicit SecretFile(std::string_view content)
      : path((std::filesystem::temp_directory_path() /
              ("paygate-secret-" + std::to_string(::getpid()) + "-" +
               std::to_string(reinterpret_cast<std::uintptr_t>(this))))
                 .string()) {
    std::ofstream(path, std::ios::binary) << content;
  }
  ~SecretFile() { std::filesystem::remove(path); }
  std::string path;
};

TEST(LoadConfig, NoMetricsTokenByDefaultEvenInTestMode) {
  EXPECT_EQ(load_config({}, fake_env({}))->metrics_token, "");
  EXPECT_EQ(load_config({{"test-mode", ""}}, fake_env({}))->metrics_token, "");
  // Empty is unset (a harness or unit file may blank it).
  EXPECT_EQ(load_config({}, fake_env({{"PAYGATE_METRICS_TOKEN", ""}}))->metrics_token, "");
}

TEST(LoadConfig, MetricsTokenFromEnvironmentOfAtLeast32PrintableCharacters) {
  auto c = load_config({}, fake_env({{"PAYGATE_METRICS_TOKEN", std::string(kToken)}}));
  ASSERT_TRUE(c) << c.error().description;
  EXPECT_EQ(c->metrics_token, kToken);
  expect_config_error({}, {{"PAYGATE_METRICS_TOKEN", std::string(kToken.substr(1))}},
                      "PAYGATE_METRICS_TOKEN");
  expect_config_error({}, {{"PAYGATE_METRICS_TOKEN", std::string(kToken) + " x"}},
                      "PAYGATE_METRICS_TOKEN");
  expect_config_error({}, {{"PAYGATE_METRICS_TOKEN", std::string(kToken) + "\n"}},
                      "PAYGATE_METRICS_TOKEN");
}

TEST(LoadConfig, MetricsSecretFileIsTrimmedAndCheckedFromFlagOrEnvironment) {
  const SecretFile file("  " + std::string(kToken) + "\n");
  auto from_flag = load_config({{"metrics-token-file", file.path}}, fake_env({}));
  ASSERT_TRUE(from_flag) << from_flag.error().description;
  EXPECT_EQ(from_flag->metrics_token, kToken);
  auto from_env = load_config({}, fake_env({{"PAYGATE_METRICS_TOKEN_FILE", file.path}}));
  ASSERT_TRUE(from_env) << from_env.error().description;
  EXPECT_EQ(from_env->metrics_token, kToken);

  const SecretFile short_one(kToken.substr(1));
  expect_config_error({{"metrics-token-file", short_one.path}}, {}, "metrics-token-file");
  expect_config_error({{"metrics-token-file", file.path + ".missing"}}, {}, "metrics-token-file");
  // Two tokens: which one the scraper holds is a guess; refuse to start.
  expect_config_error({{"metrics-token-file", file.path}},
                      {{"PAYGATE_METRICS_TOKEN", std::string(kToken)}}, "metrics-token-file");
}

// ---- the master key ----

constexpr std::string_view kMasterKeyText =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

TEST(MasterKeyConfig, FromTheEnvironmentAFileOrTheFlag) {
  const std::string expected = parse_master_key(kMasterKeyText, "x").value();
  auto inline_key =
      load_config({}, fake_env({{"PAYGATE_MASTER_KEY", std::string(kMasterKeyText)}}));
  ASSERT_TRUE(inline_key) << inline_key.error().description;
  EXPECT_EQ(inline_key->master_key, expected);
  EXPECT_TRUE(inline_key->previous_master_key.empty());

  const SecretFile file(std::string(kMasterKeyText) + "\n");
  auto from_env_file = load_config({}, fake_env({{"PAYGATE_MASTER_KEY_FILE", file.path}}));
  ASSERT_TRUE(from_env_file) << from_env_file.error().description;
  EXPECT_EQ(from_env_file->master_key, expected);
  auto from_flag = load_config({{"master-key-file", file.path}}, fake_env({}));
  ASSERT_TRUE(from_flag) << from_flag.error().description;
  EXPECT_EQ(from_flag->master_key, expected);

  auto none = load_config({}, fake_env({}));
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->master_key.empty()) << "refused later, by the commands that need one";
}

TEST(MasterKeyConfig, RefusesBadKeysBothSourcesAndTheOldFingerprintKey) {
  const SecretFile file{std::string(kMasterKeyText)};
  const SecretFile bad("not a key");
  const auto refused = [](const Result<Config>& c, std::string_view says) {
    ASSERT_FALSE(c.has_value());
    EXPECT_NE(c.error().description.find(says), std::string::npos) << c.error().description;
  };
  refused(load_config({}, fake_env({{"PAYGATE_MASTER_KEY", "abc"}})), "paygate keygen");
  refused(load_config({}, fake_env({{"PAYGATE_MASTER_KEY_FILE", bad.path}})), "paygate keygen");
  refused(load_config({}, fake_env({{"PAYGATE_MASTER_KEY_FILE", "/nonexistent/key"}})),
          "cannot read");
  refused(load_config({}, fake_env({{"PAYGATE_MASTER_KEY", std::string(kMasterKeyText)},
                                    {"PAYGATE_MASTER_KEY_FILE", file.path}})),
          "not both");
  refused(load_config({{"master-key-file", file.path}},
                      fake_env({{"PAYGATE_MASTER_KEY", std::string(kMasterKeyText)}})),
          "not both");
  refused(load_config({}, fake_env({{"PAYGATE_CARD_FINGERPRINT_KEY", std::string(40, 'k')}})),
          "master key");
  refused(load_config({{"previous-master-key-file", file.path}}, fake_env({})), "new one");
  refused(load_config({{"previous-master-key-file", file.path}},
                      fake_env({{"PAYGATE_MASTER_KEY", std::string(kMasterKeyText)}})),
          "master key itself");
}

TEST(MasterKeyConfig, APreviousKeyForARotation) {
  const SecretFile previous("ff" + std::string(kMasterKeyText.substr(2)));
  auto c = load_config({{"previous-master-key-file", previous.path}},
                       fake_env({{"PAYGATE_MASTER_KEY", std::string(kMasterKeyText)}}));
  ASSERT_TRUE(c) << c.error().description;
  EXPECT_EQ(c->previous_master_key,
            parse_master_key("ff" + std::string(kMasterKeyText.substr(2)), "x").value());
}

}  // namespace
}  // namespace paygate
