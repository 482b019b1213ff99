// The end-to-end test harness: starts the real paygate binary on a free port
// against a fresh database, speaks HTTP to it, and cleans up. Every e2e test
// of every issue uses this; keep it small and general.
#pragma once

#include <spawn.h>
#include <sys/types.h>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

struct pg_conn;  // libpq's PGconn

namespace paygate::test {

inline constexpr std::string_view kDemoKey = "key_test_abc123";
inline constexpr std::string_view kDemoSecret = "secret_test_xyz789";
// The master key every spawned server gets (PAYGATE_MASTER_KEY) unless a test
// gives its own.
inline constexpr std::string_view kMasterKey =
    "8f1c2a7e5b3d9f04c6a1e8b2d7f3a9c05e6b1d8f2a4c7e9b3d5f1a8c6e2b4d70";

using Headers = std::vector<std::pair<std::string, std::string>>;

// The /metrics token every spawned paygate gets (PAYGATE_METRICS_TOKEN) unless
// the test's env sets that variable itself ("" for none).
inline constexpr std::string_view kMetricsToken = "metrics-token-for-tests-0123456789abcdef";

// The demo merchant's X-Api-Key / X-Api-Secret.
Headers demo_auth();
// Authorization: Bearer kMetricsToken, for a scrape of /metrics.
Headers metrics_auth();
Headers auth(std::string_view key, std::string_view secret);

struct HttpResponse {
  int status = 0;
  std::string body;
  Headers headers;

  // The first header with this name (case-insensitive), or "".
  std::string header(std::string_view name) const;
  // The body parsed as JSON; a test failure (and null) when it is not JSON.
  boost::json::value json() const;
  // body.error.code, or "" when the body is not an error object.
  std::string error_code() const;
};

// One keep-alive HTTP/1.1 connection to the server (reopened if the server closed it).
class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port);
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;

  HttpResponse request(std::string_view method, std::string_view target, std::string_view body = {},
                       const Headers& headers = {});
  HttpResponse get(std::string_view target, const Headers& headers = {}) {
    return request("GET", target, {}, headers);
  }
  HttpResponse post(std::string_view target, std::string_view body, const Headers& headers = {}) {
    return request("POST", target, body, headers);
  }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A raw TCP connection, for requests written byte by byte (slow clients,
// malformed requests).
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port);
  ~RawConnection();
  void send(std::string_view bytes);
  // Reads one HTTP response; status 0 when the connection closed or timed out first.
  HttpResponse read_response(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // True when the server has closed the connection (reads EOF/reset) within timeout.
  bool closed_by_server(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct ServerOptions {
  bool test_mode = true;
  std::vector<std::string> args;           // extra flags for `paygate serve`
  std::map<std::string, std::string> env;  // extra environment variables
};

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// A paygate process started in the background (e.g. `paygate worker` beside a
// TestServer), its stdout and stderr appended to a log file. SIGKILLed by the
// destructor if it is still running.
class BackgroundProcess {
 public:
  // Starts `paygate args...` with the environment of a spawned paygate plus env.
  BackgroundProcess(const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env, std::string log_path);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running() const;
  // As TestServer::stop.
  int stop(int sig, std::chrono::milliseconds timeout = std::chrono::seconds(15));
  std::string log() const;

 private:
  std::string log_path_;
  mutable pid_t pid_ = -1;  // -1 once the process was reaped
  mutable int exit_status_ = -1;
};

class TestServer {
 public:
  // Starts a server on a fresh database in a fresh temporary directory and
  // waits until /health answers 200. Fails the test (fatally) if it cannot.
  static std::unique_ptr<TestServer> start(ServerOptions options = {});
  ~TestServer();

  std::uint16_t port() const { return port_; }
  const std::string& dir() const { return dir_; }
  // The SQLite file (sqlite backend only).
  const std::string& db_path() const { return db_path_; }
  // sqlite://<db_path>, or this server's own PostgreSQL database.
  std::string database_url() const;
  pid_t pid() const { return pid_; }
  // Everything the server wrote to stdout and stderr so far.
  std::string log() const;

  HttpClient client() const { return HttpClient(port_); }
  HttpResponse get(std::string_view target, const Headers& headers = {}) const;
  HttpResponse post(std::string_view target, std::string_view body,
                    const Headers& headers = {}) const;

  // Sends sig and waits up to timeout for the process to exit; its exit status
  // (128 + signal when killed by one), or -1 when it did not exit in time.
  int stop(int sig, std::chrono::milliseconds timeout = std::chrono::seconds(15));
  // SIGKILL, then start again on the same database.
  void restart();
  // SIGTERM (a clean stop), then start again on the same database with other options.
  void relaunch(ServerOptions options);
  bool running() const;

  // Runs `paygate args...` with this server's database, waiting for it to end.
  ProcessResult run_cli(const std::vector<std::string>& args) const;

  // Starts `paygate worker` on this server's database (PAYGATE_PROCESSING_DELAY_MS=0
  // unless env says otherwise) and waits until it reports that it runs. Fails
  // the test (throws) if it cannot.
  std::unique_ptr<BackgroundProcess> start_worker(
      const std::map<std::string, std::string>& env = {}) const;

 private:
  explicit TestServer(ServerOptions options);
  void launch();
  bool wait_healthy(std::chrono::milliseconds timeout);

  ServerOptions options_;
  std::string dir_;
  std::string db_path_;
  std::string log_path_;
  std::string pg_database_;  // postgres backend: the database created for this server
  mutable pid_t pid_ = -1;   // -1 once the process was reaped
  mutable int exit_status_ = -1;
  std::uint16_t port_ = 0;
};

// Another `paygate serve --no-workers --test-mode` on a server's database (an
// API process of a deployment), on a port of its own read from its log.
struct ApiProcess {
  std::unique_ptr<BackgroundProcess> process;
  std::uint16_t port = 0;
  std::string log() const { return process->log(); }
};
// Starts one with env, logging to <first's dir>/<name>.log, and waits until it
// listens; a test failure (port 0) when it does not.
ApiProcess start_api(const TestServer& first, const std::map<std::string, std::string>& env,
                     const std::string& name);

struct MerchantCreds {
  std::string id;
  std::string key;
  std::string secret;
  Headers headers() const { return auth(key, secret); }
};

// A new merchant, made with `paygate merchant create` on the server's
// database (email: name@example.com unless given). Fails the test if it cannot.
MerchantCreds create_merchant(const TestServer& server, const std::string& name = "B",
                              const std::string& email = "");

// Starts the paygate binary with args, exactly the environment env
// ("NAME=value" each) and actions for its descriptors; its pid. Throws when
// it cannot start.
pid_t spawn_paygate(const std::vector<std::string>& args, std::vector<std::string> env,
                    const posix_spawn_file_actions_t& actions);

// Runs the paygate binary with args and extra environment; output captured.
ProcessResult run_paygate(const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& env = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(30));

// A fresh temporary directory, removed by the returned object's destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Waits (polling) until pred is true or the deadline passes; returns pred().
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

// The backend the e2e tests run on: PostgreSQL when PAYGATE_TEST_BACKEND=postgres
// (tests/pg/with-postgres.sh sets it, with PAYGATE_TEST_PG_URL), else SQLite.
bool on_postgres();
// Skips the current test (GTEST_SKIP) unless on SQLite; for tests that look at the .db file.
#define PAYGATE_SQLITE_ONLY(why)                             \
  do {                                                       \
    if (::paygate::test::on_postgres()) GTEST_SKIP() << why; \
  } while (0)
// PAYGATE_TEST_PG_URL + name: the URL of one database on the test cluster.
std::string pg_url(std::string_view database);
// Creates a fresh, empty database on the test cluster: its name.
std::string create_pg_database();
void drop_pg_database(const std::string& name);
// One libpq connection to a PostgreSQL database, for a test that needs its
// own transaction (e.g. to hold a row lock while the server writes).
class PgSession {
 public:
  explicit PgSession(const std::string& url);
  ~PgSession();
  PgSession(const PgSession&) = delete;
  PgSession& operator=(const PgSession&) = delete;
  // Runs SQL; every row, each value as text ("" for NULL). A test failure
  // (and no rows) when the query fails.
  std::vector<std::vector<std::string>> query(const std::string& sql);

 private:
  ::pg_conn* conn_;
};
// Runs SQL on a PostgreSQL database in a session of its own (PgSession::query).
std::vector<std::vector<std::string>> pg_query(const std::string& url, const std::string& sql);
// True once `sessions` sessions of that database are waiting for a lock, each
// for longer than `for_longer_than` (within 10 s): requests the test holds up
// with a row lock of its own have got that far.
bool eventually_waits_for_a_lock(const std::string& url, int sessions = 1,
                                 std::chrono::milliseconds for_longer_than = {});

// Runs fn(client, i) for i in [0, n) on n threads, each with a client of its
// own already connected, released together so that their requests reach the
// server at once.
void concurrently(const TestServer& server, int n, const std::function<void(HttpClient&, int)>& fn);
// Runs `pg_ctl <action>` on the test cluster (e.g. "stop -m fast -w", "start -w"); its exit code.
int pg_ctl(const std::string& action);

// Reads a whole file ("" when it cannot).
std::string read_file(const std::string& path);

// JSON helpers every e2e test uses.
// The string's text, or "" when v is not a string.
std::string str(const boost::json::value& v);
// The body as a JSON object; a test failure (and {}) when it is not one.
boost::json::object object_of(const HttpResponse& res);
// "2026-01-16T11:01:02.771058Z": ISO 8601 UTC with microseconds and Z.
bool is_iso_micros(std::string_view ts);

}  // namespace paygate::test
