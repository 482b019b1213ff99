// The paygate command line, end to end: exit codes, usage and error output,
// migrations, merchant creation and listing, and serve's start-up failures.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "core/crypto.h"
#include "core/ids.h"
#include "harness.h"

namespace paygate::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// Exactly one line of text on stderr, "paygate: ...", and nothing that looks
// like a crash or an uncaught exception.
void expect_one_error_line(const ProcessResult& r, std::string_view what) {
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << what << ", stderr:\n" << r.err;
  EXPECT_TRUE(r.err.ends_with('\n')) << what << ": " << r.err;
  EXPECT_TRUE(r.err.starts_with("paygate: ")) << what << ": " << r.err;
  EXPECT_GT(r.err.size(), std::string_view("paygate: \n").size()) << what;
  for (const char* crash :
       {"terminate called", "what()", "Aborted", "Segmentation", "#0 ", "stack", "exception"}) {
    EXPECT_FALSE(contains(r.err, crash)) << what << ": " << r.err;
  }
}

void expect_usage_error(const ProcessResult& r, std::string_view what) {
  EXPECT_EQ(r.exit_code, 2) << what << ", stderr: " << r.err;
  expect_one_error_line(r, what);
  EXPECT_EQ(r.out, "") << what;
}

std::string sqlite_url(const TempDir& dir, std::string_view file) {
  return "sqlite://" + dir.path() + "/" + std::string(file);
}

// The rows of a query on an SQLite file, each row's columns joined by '|'.
std::vector<std::string> query(const std::string& path, const char* sql) {
  std::vector<std::string> rows;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << path << ": " << sqlite3_errmsg(db);
    sqlite3_close(db);
    return rows;
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot run " << sql << ": " << sqlite3_errmsg(db);
    sqlite3_close(db);
    return rows;
  }
  int rc = 0;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    std::string row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      if (i > 0) row += '|';
      const unsigned char* text = sqlite3_column_text(stmt, i);
      row += text != nullptr ? reinterpret_cast<const char*>(text) : "NULL";
    }
    rows.push_back(std::move(row));
  }
  EXPECT_EQ(rc, SQLITE_DONE) << sqlite3_errmsg(db);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return rows;
}

// Every byte SQLite may have written for the database at path.
std::string database_bytes(const std::string& path) {
  return read_file(path) + read_file(path + "-wal") + read_file(path + "-journal");
}

struct CreatedMerchant {
  std::string id, name, email, api_key, api_secret;
};

// Parses `merchant create` output: one JSON object with exactly the contract's fields.
CreatedMerchant parse_created(const ProcessResult& r) {
  CreatedMerchant m;
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  boost::system::error_code ec;
  const json::value v = json::parse(r.out, ec);
  if (ec || !v.is_object()) {
    ADD_FAILURE() << "merchant create did not print a JSON object: " << r.out;
    return m;
  }
  const auto& o = v.as_object();
  EXPECT_EQ(o.size(), 5u) << r.out;
  for (const char* key : {"id", "name", "email", "api_key", "api_secret"}) {
    if (!o.contains(key) || !o.at(key).is_string()) {
      ADD_FAILURE() << "no string " << key << " in " << r.out;
      return m;
    }
  }
  m.id = o.at("id").as_string();
  m.name = o.at("name").as_string();
  m.email = o.at("email").as_string();
  m.api_key = o.at("api_key").as_string();
  m.api_secret = o.at("api_secret").as_string();
  return m;
}

// ---- usage, help, version ----

TEST(Cli, VersionPrintsTheVersionAndTheCommit) {
  const auto r = run_paygate({"version"});
  EXPECT_EQ(r.exit_code, 0);
  // The commit the binary was built from: the tests' own sources are at it.
  std::string head = "unknown";
  if (FILE* git =
          ::popen("git -C " PAYGATE_SOURCE_DIR " rev-parse --short=12 HEAD 2>/dev/null", "r")) {
    char line[64] = {};
    if (std::fgets(line, sizeof line, git) != nullptr) head = std::string(line, 12);
    ::pclose(git);
  }
  const std::regex shape(std::string("paygate ") + PAYGATE_VERSION +
                         R"( \(commit ([0-9a-f]{12})(-dirty)?\)\n)");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(r.out, m, shape)) << r.out;
  EXPECT_EQ(m[1].str(), head);
  EXPECT_EQ(r.err, "");
  const auto dashed = run_paygate({"--version"});
  EXPECT_EQ(dashed.exit_code, 0);
  EXPECT_EQ(dashed.out, r.out);
}

TEST(Cli, HelpExitsZeroWithUsage) {
  for (const char* flag : {"--help", "-h", "help"}) {
    const auto r = run_paygate({flag});
    EXPECT_EQ(r.exit_code, 0) << flag;
    EXPECT_TRUE(contains(r.out, "usage: paygate")) << flag << ": " << r.out;
    for (const char* command :
         {"serve", "migrate", "merchant create", "merchant list", "version"}) {
      EXPECT_TRUE(contains(r.out, command)) << flag << " lists no " << command;
    }
    EXPECT_EQ(r.err, "") << flag;
  }
}

TEST(Cli, CommandHelpListsItsOptions) {
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> options;
  };
  const Case cases[] = {
      {{"serve", "--help"}, {"--listen", "--database", "--test-mode", "--no-workers"}},
      {{"migrate", "--help"}, {"--database"}},
      {{"merchant", "create", "--help"}, {"--name", "--email", "--database"}},
      {{"merchant", "list", "--help"}, {"--database"}},
      {{"merchant", "--help"}, {"merchant create", "merchant list", "--name", "--email"}},
  };
  for (const auto& c : cases) {
    const std::string what = c.args[0] + " " + c.args[1];
    const auto r = run_paygate(c.args);
    EXPECT_EQ(r.exit_code, 0) << what << ": " << r.err;
    for (const auto& option : c.options) {
      EXPECT_TRUE(contains(r.out, option)) << what << " shows no " << option << ":\n" << r.out;
    }
    EXPECT_EQ(r.err, "") << what;
  }
}

TEST(Cli, HelpDoesNotTouchTheDatabase) {
  TempDir dir;
  const auto r = run_paygate({"migrate", "--help", "--database", sqlite_url(dir, "x.db")});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/x.db"));
}

TEST(Cli, NoCommandIsAUsageError) {
  const auto r = run_paygate({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(contains(r.err, "usage: paygate")) << r.err;
}

TEST(Cli, MerchantWithoutSubcommandIsAUsageError) {
  const auto r = run_paygate({"merchant"});
  EXPECT_EQ(r.exit_code, 2);
  // Like a bare `paygate`: the usage goes to stderr, stdout stays clean for scripts.
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(contains(r.err, "merchant create")) << r.err;
}

TEST(Cli, UnknownCommandIsOneLine) {
  const auto r = run_paygate({"frobnicate"});
  expect_usage_error(r, "unknown command");
  EXPECT_TRUE(contains(r.err, "frobnicate")) << r.err;

  const auto sub = run_paygate({"merchant", "delete"});
  expect_usage_error(sub, "unknown merchant command");
  EXPECT_TRUE(contains(sub.err, "delete")) << sub.err;
}

TEST(Cli, UnknownFlagIsOneLine) {
  TempDir dir;
  const auto r = run_paygate({"serve", "--bogus", "--database", sqlite_url(dir, "x.db")}, {}, 15s);
  expect_usage_error(r, "serve --bogus");
  EXPECT_TRUE(contains(r.err, "bogus")) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/x.db"));

  expect_usage_error(run_paygate({"migrate", "--listen", "127.0.0.1:1"}), "migrate --listen");
  expect_usage_error(run_paygate({"merchant", "list", "--name", "x"}), "merchant list --name");
}

// Words the options do not take are an error, not silently dropped.
TEST(Cli, StrayArgumentsAreOneLine) {
  TempDir dir;
  const auto db = sqlite_url(dir, "x.db");
  expect_usage_error(
      run_paygate({"serve", "stray", "--listen", "127.0.0.1:0", "--database", db}, {}, 15s),
      "serve stray");
  expect_usage_error(run_paygate({"migrate", "--database", db, "extra"}), "migrate extra");
  // An unquoted two-word name: "Corp" must not vanish.
  const auto r = run_paygate(
      {"merchant", "create", "--name", "Acme", "Corp", "--email", "a@acme.test", "--database", db});
  expect_usage_error(r, "merchant create --name Acme Corp");
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/x.db"));
}

TEST(Cli, FlagWithoutItsValueIsOneLine) {
  expect_usage_error(run_paygate({"serve", "--listen"}, {}, 15s), "serve --listen");
  expect_usage_error(run_paygate({"migrate", "--database"}), "migrate --database");
}

TEST(Cli, BadDatabaseUrlFlagIsOneLine) {
  for (const char* command : {"migrate", "serve"}) {
    const auto r = run_paygate({command, "--database", "mysql://x"}, {}, 15s);
    expect_usage_error(r, command);
    EXPECT_TRUE(contains(r.err, "DATABASE_URL")) << r.err;
  }
  const auto empty = run_paygate({"migrate", "--database", "sqlite://"});
  expect_usage_error(empty, "empty sqlite path");
}

TEST(Cli, BadDatabaseUrlEnvironmentIsOneLine) {
  for (const char* command : {"migrate", "serve"}) {
    const auto r = run_paygate({command}, {{"DATABASE_URL", "nope"}}, 15s);
    expect_usage_error(r, command);
    EXPECT_TRUE(contains(r.err, "DATABASE_URL")) << r.err;
  }
  const auto list = run_paygate({"merchant", "list"}, {{"DATABASE_URL", "nope"}});
  expect_usage_error(list, "merchant list");
}

TEST(Cli, BadListenIsOneLine) {
  TempDir dir;
  for (const char* listen : {"nope", "127.0.0.1:99999", "127.0.0.1:", ":8000"}) {
    const auto r =
        run_paygate({"serve", "--listen", listen, "--database", sqlite_url(dir, "x.db")}, {}, 15s);
    expect_usage_error(r, listen);
    EXPECT_TRUE(contains(r.err, "listen")) << r.err;
  }
  const auto env = run_paygate({"serve", "--database", sqlite_url(dir, "x.db")},
                               {{"PAYGATE_LISTEN", "localhost"}}, 15s);
  expect_usage_error(env, "PAYGATE_LISTEN");
  // Refused before anything was created.
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/x.db"));
}

TEST(Cli, BadEnvironmentNumberIsOneLine) {
  TempDir dir;
  const auto threads = run_paygate({"serve", "--database", sqlite_url(dir, "x.db")},
                                   {{"PAYGATE_THREADS", "abc"}}, 15s);
  expect_usage_error(threads, "PAYGATE_THREADS=abc");
  EXPECT_TRUE(contains(threads.err, "threads")) << threads.err;

  const auto delay = run_paygate({"serve", "--database", sqlite_url(dir, "x.db")},
                                 {{"PAYGATE_PROCESSING_DELAY_MS", "-5"}}, 15s);
  expect_usage_error(delay, "PAYGATE_PROCESSING_DELAY_MS=-5");
  EXPECT_TRUE(contains(delay.err, "PAYGATE_PROCESSING_DELAY_MS")) << delay.err;

  const auto rate = run_paygate({"serve", "--database", sqlite_url(dir, "x.db")},
                                {{"PAYGATE_FAILURE_RATE", "2"}}, 15s);
  expect_usage_error(rate, "PAYGATE_FAILURE_RATE=2");
  EXPECT_TRUE(contains(rate.err, "PAYGATE_FAILURE_RATE")) << rate.err;

  const auto flag =
      run_paygate({"serve", "--threads", "1000", "--database", sqlite_url(dir, "x.db")}, {}, 15s);
  expect_usage_error(flag, "--threads 1000");
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/x.db"));
}

// ---- migrate ----

TEST(CliMigrate, CreatesTheDatabaseAndIsIdempotent) {
  TempDir dir;
  const std::string path = dir.path() + "/x.db";
  const auto first = run_paygate({"migrate", "--database", "sqlite://" + path});
  EXPECT_EQ(first.exit_code, 0) << first.err;
  ASSERT_TRUE(std::filesystem::exists(path));

  const char* kRows = "SELECT version, name, applied_at FROM schema_migrations ORDER BY version";
  const auto rows = query(path, kRows);
  ASSERT_FALSE(rows.empty());
  EXPECT_TRUE(rows.front().starts_with("1|")) << rows.front();
  const auto tables = query(path, "SELECT name FROM sqlite_master WHERE type = 'table'");
  for (const char* table : {"merchants", "orders", "schema_migrations"}) {
    EXPECT_NE(std::find(tables.begin(), tables.end(), table), tables.end()) << table;
  }

  const auto second = run_paygate({"migrate", "--database", "sqlite://" + path});
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(query(path, kRows), rows);  // same versions, same applied_at: nothing re-applied
  EXPECT_EQ(query(path, "SELECT name FROM sqlite_master WHERE type = 'table'"), tables);
}

// New rows have the largest created_at: an index kept in descending order
// takes every insert on its leftmost page, which B-trees split in half, so the
// index stayed half empty and each group commit wrote more pages. The
// newest-first lists must still read the ascending index, backwards, unsorted.
TEST(CliMigrate, TimeIndexesAreAscendingAndServeTheNewestFirstLists) {
  TempDir dir;
  const std::string path = dir.path() + "/x.db";
  ASSERT_EQ(run_paygate({"migrate", "--database", "sqlite://" + path}).exit_code, 0);
  for (const char* table : {"orders", "payments", "refunds", "webhook_deliveries"}) {
    const std::string index = std::string(table) + "_by_merchant_time";
    // index_xinfo: seqno|cid|name|desc|coll|key, key columns first.
    const auto columns = query(path, ("PRAGMA index_xinfo(" + index + ")").c_str());
    ASSERT_GE(columns.size(), 3U) << index;
    for (std::size_t i = 0; i < 3; ++i) {
      std::vector<std::string> fields;
      std::istringstream row(columns[i]);
      for (std::string f; std::getline(row, f, '|');) fields.push_back(f);
      ASSERT_GE(fields.size(), 4U) << columns[i];
      EXPECT_EQ(fields[3], "0") << index << " keeps " << fields[2] << " descending";
    }
    const std::string plan_sql = "EXPLAIN QUERY PLAN SELECT id FROM " + std::string(table) +
                                 " WHERE merchant_id = 'm' AND created_at >= 0 AND created_at <= 9"
                                 " ORDER BY created_at DESC, id DESC LIMIT 10 OFFSET 0";
    std::string plan;
    for (const auto& line : query(path, plan_sql.c_str())) plan += line + "\n";
    EXPECT_NE(plan.find(index), std::string::npos) << plan;
    EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
  }
}

TEST(CliMigrate, ReadsDatabaseUrlFromTheEnvironment) {
  TempDir dir;
  const std::string path = dir.path() + "/env.db";
  const auto r = run_paygate({"migrate"}, {{"DATABASE_URL", "sqlite://" + path}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_FALSE(query(path, "SELECT version FROM schema_migrations").empty());
}

TEST(CliMigrate, UnopenableDatabaseIsOneLine) {
  const auto r = run_paygate({"migrate", "--database", "sqlite:///nonexistent-dir/x.db"});
  EXPECT_NE(r.exit_code, 0);
  expect_one_error_line(r, "migrate into a missing directory");
  EXPECT_TRUE(contains(r.err, "/nonexistent-dir/x.db")) << r.err;
}

// ---- merchant create / list ----

TEST(CliMerchant, CreatePrintsTheMerchantWithItsCredentials) {
  TempDir dir;
  const auto r = run_paygate({"merchant", "create", "--name", "Acme", "--email", "a@acme.test",
                              "--database", sqlite_url(dir, "m.db")});
  const CreatedMerchant m = parse_created(r);
  EXPECT_TRUE(is_valid_id(m.id, "mrc_")) << m.id;
  EXPECT_EQ(m.name, "Acme");
  EXPECT_EQ(m.email, "a@acme.test");
  EXPECT_TRUE(m.api_key.starts_with("key_")) << m.api_key;
  EXPECT_TRUE(m.api_secret.starts_with("secret_")) << m.api_secret;
  EXPECT_GE(m.api_secret.size(), std::string_view("secret_").size() + 16) << m.api_secret;
  EXPECT_NE(m.api_key.substr(4), m.api_secret.substr(7));
}

TEST(CliMerchant, EachMerchantGetsItsOwnIdKeyAndSecret) {
  TempDir dir;
  const auto db = sqlite_url(dir, "m.db");
  const auto a = parse_created(
      run_paygate({"merchant", "create", "--name", "A", "--email", "a@a.test", "--database", db}));
  const auto b = parse_created(
      run_paygate({"merchant", "create", "--name", "B", "--email", "b@b.test", "--database", db}));
  EXPECT_NE(a.id, b.id);
  EXPECT_NE(a.api_key, b.api_key);
  EXPECT_NE(a.api_secret, b.api_secret);
}

TEST(CliMerchant, SecretIsNotStoredInClear) {
  TempDir dir;
  const std::string path = dir.path() + "/m.db";
  const auto m = parse_created(run_paygate({"merchant", "create", "--name", "Acme", "--email",
                                            "a@acme.test", "--database", "sqlite://" + path}));
  ASSERT_FALSE(m.api_secret.empty());
  const std::string bytes = database_bytes(path);
  ASSERT_FALSE(bytes.empty());
  EXPECT_TRUE(contains(bytes, m.id)) << "the merchant is not in the file at all";
  EXPECT_TRUE(contains(bytes, m.api_key));
  EXPECT_FALSE(contains(bytes, m.api_secret));
  EXPECT_FALSE(contains(bytes, m.api_secret.substr(std::string_view("secret_").size())));

  const auto rows = query(path, ("SELECT * FROM merchants WHERE id = '" + m.id + "'").c_str());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_FALSE(contains(rows[0], m.api_secret)) << rows[0];
}

TEST(CliMerchant, MissingNameOrEmailIsAUsageError) {
  TempDir dir;
  const auto db = sqlite_url(dir, "m.db");
  const auto no_name =
      run_paygate({"merchant", "create", "--email", "a@acme.test", "--database", db});
  expect_usage_error(no_name, "no --name");
  EXPECT_TRUE(contains(no_name.err, "--name")) << no_name.err;
  expect_usage_error(run_paygate({"merchant", "create", "--name", "Acme", "--database", db}),
                     "no --email");
  expect_usage_error(run_paygate({"merchant", "create", "--database", db}), "neither");
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/m.db"));
}

TEST(CliMerchant, BadFieldsAreUsageErrors) {
  TempDir dir;
  const auto db = sqlite_url(dir, "m.db");
  for (const char* email : {"not-an-email", "@acme.test", "a@", "a@b@c", ""}) {
    const auto r =
        run_paygate({"merchant", "create", "--name", "Acme", "--email", email, "--database", db});
    expect_usage_error(r, email);
    EXPECT_TRUE(contains(r.err, "email")) << r.err;
  }
  const auto no_name =
      run_paygate({"merchant", "create", "--name", "", "--email", "a@acme.test", "--database", db});
  expect_usage_error(no_name, "empty name");
  EXPECT_TRUE(contains(no_name.err, "name")) << no_name.err;
  // Refused before the database was opened.
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/m.db"));
}

TEST(CliMerchant, ListShowsMerchantsWithoutSecrets) {
  TempDir dir;
  const auto db = sqlite_url(dir, "m.db");
  const auto empty = run_paygate({"merchant", "list", "--database", db});
  EXPECT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_EQ(json::parse(empty.out), json::array());

  const auto m = parse_created(run_paygate({"merchant", "create", "--name", "Acme \"Q\" Ltd",
                                            "--email", "a@acme.test", "--database", db}));
  const auto r = run_paygate({"merchant", "list", "--database", db});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(contains(r.out, m.api_secret));
  EXPECT_FALSE(contains(r.out, "secret")) << r.out;

  boost::system::error_code ec;
  const json::value v = json::parse(r.out, ec);
  ASSERT_FALSE(ec) << r.out;
  ASSERT_TRUE(v.is_array()) << r.out;
  ASSERT_EQ(v.as_array().size(), 1u) << r.out;
  const auto& o = v.as_array()[0].as_object();
  EXPECT_EQ(o.at("id").as_string(), m.id);
  EXPECT_EQ(o.at("name"), "Acme \"Q\" Ltd");
  EXPECT_EQ(o.at("email"), "a@acme.test");
  EXPECT_EQ(o.at("api_key").as_string(), m.api_key);
  for (const auto& [key, value] : o) {
    EXPECT_FALSE(contains(key, "secret")) << key;
    EXPECT_FALSE(contains(key, "hash")) << key;
    (void)value;
  }
  ASSERT_TRUE(o.contains("created_at"));
  const std::string created(o.at("created_at").as_string());
  EXPECT_EQ(created.size(), 27u) << created;
  EXPECT_TRUE(created.ends_with('Z')) << created;
}

// ---- against a running server ----

TEST(CliServe, MerchantCreatedByTheCliAuthenticatesAtOnce) {
  auto server = TestServer::start();
  const auto r =
      server->run_cli({"merchant", "create", "--name", "Acme", "--email", "a@acme.test"});
  const CreatedMerchant m = parse_created(r);
  ASSERT_FALSE(m.api_secret.empty());

  const auto order =
      server->post("/api/v1/orders", R"({"amount": 50000})", auth(m.api_key, m.api_secret));
  ASSERT_EQ(order.status, 201) << order.body;
  const auto body = order.json();
  EXPECT_EQ(body.at("merchant_id").as_string(), m.id);
  const std::string order_id(body.at("id").as_string());

  // It is that merchant's order, nobody else's.
  EXPECT_EQ(server->get("/api/v1/orders/" + order_id, auth(m.api_key, m.api_secret)).status, 200);
  EXPECT_EQ(server->get("/api/v1/orders/" + order_id, demo_auth()).status, 404);

  const auto wrong =
      server->post("/api/v1/orders", R"({"amount": 50000})", auth(m.api_key, m.api_secret + "x"));
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.error_code(), "AUTHENTICATION_ERROR");

  // Not in the server's database files either, WAL included, nor in its log.
  if (!on_postgres()) {
    EXPECT_FALSE(contains(database_bytes(server->db_path()), m.api_secret));
  }
  EXPECT_FALSE(contains(server->log(), m.api_secret));
}

TEST(CliServe, PortInUseIsOneClearLine) {
  auto server = TestServer::start();
  TempDir dir;
  const std::string listen = "127.0.0.1:" + std::to_string(server->port());
  const auto r =
      run_paygate({"serve", "--listen", listen, "--database", sqlite_url(dir, "x.db")}, {}, 20s);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.exit_code, -1) << "still running: it did not notice the port is taken";
  expect_one_error_line(r, "port in use");
  EXPECT_TRUE(contains(r.err, listen)) << r.err;
  // The first server is unharmed.
  EXPECT_TRUE(server->running());
  EXPECT_EQ(server->get("/health").status, 200);
}

TEST(CliServe, UnopenableDatabaseIsOneClearLine) {
  const auto r = run_paygate(
      {"serve", "--listen", "127.0.0.1:0", "--database", "sqlite:///nonexistent-dir/x.db"}, {},
      20s);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.exit_code, -1) << "still running";
  expect_one_error_line(r, "database in a missing directory");
  EXPECT_TRUE(contains(r.err, "/nonexistent-dir/x.db")) << r.err;
  EXPECT_FALSE(std::filesystem::exists("/nonexistent-dir"));
}

}  // namespace
}  // namespace paygate::test
