#include "harness.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <poll.h>
#include <spawn.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <latch>
#include <regex>
#include <sstream>

#include "recorder.h"

extern char** environ;

namespace paygate::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

Headers demo_auth() {
  return auth(kDemoKey, kDemoSecret);
}

Headers auth(std::string_view key, std::string_view secret) {
  return {{"X-Api-Key", std::string(key)}, {"X-Api-Secret", std::string(secret)}};
}

Headers metrics_auth() {
  return {{"Authorization", "Bearer " + std::string(kMetricsToken)}};
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && ::strncasecmp(k.data(), name.data(), name.size()) == 0) return v;
  }
  return {};
}

boost::json::value HttpResponse::json() const {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec) {
    ADD_FAILURE() << "response body is not JSON (status " << status << "): " << body;
    return nullptr;
  }
  return v;
}

std::string HttpResponse::error_code() const {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return {};
  const auto* e = v.as_object().if_contains("error");
  if (e == nullptr || !e->is_object()) return {};
  const auto* c = e->as_object().if_contains("code");
  return (c != nullptr && c->is_string()) ? std::string(c->get_string()) : std::string();
}

std::string str(const boost::json::value& v) {
  return v.is_string() ? std::string(v.get_string()) : "";
}

boost::json::object object_of(const HttpResponse& res) {
  const auto v = res.json();
  if (!v.is_object()) {
    ADD_FAILURE() << "not a JSON object (status " << res.status << "): " << res.body;
    return {};
  }
  return v.as_object();
}

bool is_iso_micros(std::string_view ts) {
  static const std::regex re(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$)");
  return std::regex_match(ts.begin(), ts.end(), re);
}

namespace {

void set_timeouts(tcp::socket& s, std::chrono::milliseconds t) {
  timeval tv{};
  tv.tv_sec = t.count() / 1000;
  tv.tv_usec = (t.count() % 1000) * 1000;
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

// A socket whose blocking reads give up at a deadline. (SO_RCVTIMEO alone does
// not do it: when recv times out, asio's blocking read polls again, forever.)
class DeadlineReader {
 public:
  DeadlineReader(tcp::socket& socket, std::chrono::milliseconds timeout)
      : socket_(socket), deadline_(std::chrono::steady_clock::now() + timeout) {}

  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers, beast::error_code& ec) {
    if (!wait_readable(ec)) return 0;
    return socket_.read_some(buffers, ec);
  }
  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers) {
    beast::error_code ec;
    const std::size_t n = read_some(buffers, ec);
    if (ec) throw beast::system_error(ec);
    return n;
  }

 private:
  // True when the socket has data, an EOF or an error to read; timed_out otherwise.
  bool wait_readable(beast::error_code& ec) {
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            deadline_ - std::chrono::steady_clock::now())
                            .count();
      pollfd p{socket_.native_handle(), POLLIN, 0};
      const int r = ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(0, left)));
      if (r > 0) return true;
      if (r == 0) {
        ec = asio::error::timed_out;
        return false;
      }
      if (errno != EINTR) {
        ec = beast::error_code(errno, boost::system::system_category());
        return false;
      }
    }
  }

  tcp::socket& socket_;
  std::chrono::steady_clock::time_point deadline_;
};

HttpResponse from_beast(bhttp::response<bhttp::string_body>&& res) {
  HttpResponse out;
  out.status = static_cast<int>(res.result_int());
  out.body = std::move(res.body());
  for (const auto& f : res) out.headers.emplace_back(f.name_string(), f.value());
  return out;
}

}  // namespace

struct HttpClient::Impl {
  explicit Impl(std::uint16_t p) : port(p), socket(context) {}
  std::uint16_t port;
  asio::io_context context;
  tcp::socket socket;
  beast::flat_buffer buffer;
  bool connected = false;

  void connect() {
    beast::error_code ec;
    socket.close(ec);
    socket = tcp::socket(context);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    socket.set_option(tcp::no_delay(true));
    set_timeouts(socket, std::chrono::seconds(30));
    buffer.clear();
    connected = true;
  }
};

HttpClient::HttpClient(std::uint16_t port) : impl_(std::make_unique<Impl>(port)) {}
HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

HttpResponse HttpClient::request(std::string_view method, std::string_view target,
                                 std::string_view body, const Headers& headers) {
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  if (!body.empty() || method == "POST" || method == "PATCH" || method == "PUT") {
    req.set(bhttp::field::content_type, "application/json");
  }
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = std::string(body);
  req.prepare_payload();

  // A kept-alive connection the server has closed fails on first use: retry once, fresh.
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      if (!impl_->connected) impl_->connect();
      bhttp::write(impl_->socket, req);
      bhttp::response_parser<bhttp::string_body> parser;
      parser.body_limit(64 * 1024 * 1024);
      DeadlineReader reader(impl_->socket, std::chrono::seconds(30));
      bhttp::read(reader, impl_->buffer, parser);
      auto res = parser.release();
      if (!res.keep_alive()) impl_->connected = false;
      HttpResponse out = from_beast(std::move(res));
      record_exchange(method, target, out);
      return out;
    } catch (const std::exception& e) {
      impl_->connected = false;
      if (attempt == 1) {
        ADD_FAILURE() << method << " " << target << " failed: " << e.what();
      }
    }
  }
  return {};
}

struct RawConnection::Impl {
  asio::io_context context;
  tcp::socket socket{context};
  beast::flat_buffer buffer;
};

RawConnection::RawConnection(std::uint16_t port) : impl_(std::make_unique<Impl>()) {
  impl_->socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  impl_->socket.set_option(tcp::no_delay(true));
}

RawConnection::~RawConnection() = default;

void RawConnection::send(std::string_view bytes) {
  beast::error_code ec;
  asio::write(impl_->socket, asio::buffer(bytes), ec);
}

HttpResponse RawConnection::read_response(std::chrono::milliseconds timeout) {
  set_timeouts(impl_->socket, timeout);
  bhttp::response_parser<bhttp::string_body> parser;
  beast::error_code ec;
  DeadlineReader reader(impl_->socket, timeout);
  bhttp::read(reader, impl_->buffer, parser, ec);
  if (ec) return {};
  return from_beast(parser.release());
}

bool RawConnection::closed_by_server(std::chrono::milliseconds timeout) {
  DeadlineReader reader(impl_->socket, timeout);
  char c;
  beast::error_code ec;
  for (;;) {
    const auto n = reader.read_some(asio::buffer(&c, 1), ec);
    if (ec == asio::error::eof || ec == asio::error::connection_reset) return true;
    if (ec) return false;  // timed out: still open
    (void)n;
  }
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "paygate-e2e-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

pid_t spawn_paygate(const std::vector<std::string>& args, std::vector<std::string> env,
                    const posix_spawn_file_actions_t& actions) {
  std::vector<std::string> argv_storage{PAYGATE_BINARY};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, PAYGATE_BINARY, &actions, nullptr, argv.data(), envp.data()) != 0) {
    throw std::runtime_error("cannot start " + std::string(PAYGATE_BINARY));
  }
  return pid;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

namespace {

// The environment of a spawned paygate: ours without any PAYGATE_* or
// DATABASE_URL (so the machine's settings cannot leak into a test), plus extra.
std::vector<std::string> child_env(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view kv(*e);
    if (kv.starts_with("PAYGATE_") || kv.starts_with("DATABASE_URL=")) continue;
    env.emplace_back(kv);
  }
  // /metrics answers only a scraper with the token; every server has one.
  if (!extra.contains("PAYGATE_METRICS_TOKEN")) {
    env.push_back("PAYGATE_METRICS_TOKEN=" + std::string(kMetricsToken));
  }
  // Outside test mode a server needs a master key; every server has the same
  // one unless the test gives its own (an empty PAYGATE_MASTER_KEY: none at all).
  if (!extra.contains("PAYGATE_MASTER_KEY") && !extra.contains("PAYGATE_MASTER_KEY_FILE")) {
    env.push_back("PAYGATE_MASTER_KEY=" + std::string(kMasterKey));
  }
  for (const auto& [k, v] : extra) {
    if (k == "PAYGATE_MASTER_KEY" && v.empty()) continue;
    env.push_back(k + "=" + v);
  }
  return env;
}

pid_t spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
            const std::string& out_path, const std::string& err_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  try {
    const pid_t pid = spawn_paygate(args, child_env(env), actions);
    posix_spawn_file_actions_destroy(&actions);
    return pid;
  } catch (...) {
    posix_spawn_file_actions_destroy(&actions);
    throw;
  }
}

// Waits for pid to exit within timeout: its exit status (128 + signal when
// killed), or -1 when it is still running.
int wait_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return -1;
    }
    if (r < 0) return -1;
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

ProcessResult run_paygate(const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& env,
                          std::chrono::milliseconds timeout) {
  TempDir dir;
  const std::string out = dir.path() + "/out", err = dir.path() + "/err";
  const pid_t pid = spawn(args, env, out, err);
  ProcessResult r;
  r.exit_code = wait_exit(pid, timeout);
  if (r.exit_code == -1) {
    ::kill(pid, SIGKILL);
    wait_exit(pid, std::chrono::seconds(5));
    ADD_FAILURE() << "paygate did not exit in time";
  }
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

bool on_postgres() {
  const char* v = std::getenv("PAYGATE_TEST_BACKEND");
  return v != nullptr && std::string_view(v) == "postgres";
}

std::string pg_url(std::string_view database) {
  const char* base = std::getenv("PAYGATE_TEST_PG_URL");
  if (base == nullptr) throw std::runtime_error("PAYGATE_TEST_PG_URL is not set");
  return std::string(base) + std::string(database);
}

PgSession::PgSession(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
  if (PQstatus(conn_) != CONNECTION_OK) {
    ADD_FAILURE() << "cannot connect to " << url << ": " << PQerrorMessage(conn_);
    PQfinish(conn_);
    conn_ = nullptr;
  }
}

PgSession::~PgSession() {
  if (conn_ != nullptr) PQfinish(conn_);
}

std::vector<std::vector<std::string>> PgSession::query(const std::string& sql) {
  std::vector<std::vector<std::string>> rows;
  if (conn_ == nullptr) return rows;
  PGresult* res = PQexec(conn_, sql.c_str());
  const auto st = PQresultStatus(res);
  if (st == PGRES_TUPLES_OK) {
    for (int r = 0; r < PQntuples(res); ++r) {
      auto& row = rows.emplace_back();
      for (int c = 0; c < PQnfields(res); ++c) row.emplace_back(PQgetvalue(res, r, c));
    }
  } else if (st != PGRES_COMMAND_OK) {
    ADD_FAILURE() << "query failed: " << sql << ": " << PQresultErrorMessage(res);
  }
  PQclear(res);
  return rows;
}

std::vector<std::vector<std::string>> pg_query(const std::string& url, const std::string& sql) {
  return PgSession(url).query(sql);
}

bool eventually_waits_for_a_lock(const std::string& url, int sessions,
                                 std::chrono::milliseconds for_longer_than) {
  const std::string sql =
      "SELECT 1 FROM pg_stat_activity WHERE datname = current_database()"
      " AND wait_event_type = 'Lock' AND now() - query_start > interval '" +
      std::to_string(for_longer_than.count()) + " milliseconds'";
  return eventually([&] {
    const auto waiting = pg_query(url, sql);
    return waiting.size() >= static_cast<std::size_t>(sessions);
  });
}

void concurrently(const TestServer& server, int n,
                  const std::function<void(HttpClient&, int)>& fn) {
  std::latch ready(n);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      auto client = server.client();
      client.get("/health");  // connected before the start
      ready.arrive_and_wait();
      fn(client, i);
    });
  }
  for (auto& t : threads) t.join();
}

std::string create_pg_database() {
  static std::atomic<int> counter{0};
  const std::string name = "e2e_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
  pg_query(pg_url("postgres"), "CREATE DATABASE " + name);
  return name;
}

void drop_pg_database(const std::string& name) {
  pg_query(pg_url("postgres"), "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
}

int pg_ctl(const std::string& action) {
  const char* prefix = std::getenv("PAYGATE_TEST_PG_CTL");
  if (prefix == nullptr) throw std::runtime_error("PAYGATE_TEST_PG_CTL is not set");
  const std::string command = std::string(prefix) + " " + action + " >/dev/null 2>&1";
  const int rc = std::system(command.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string TestServer::database_url() const {
  return pg_database_.empty() ? "sqlite://" + db_path_ : pg_url(pg_database_);
}

TestServer::TestServer(ServerOptions options) : options_(std::move(options)) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "paygate-e2e-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  db_path_ = dir_ + "/paygate.db";
  log_path_ = dir_ + "/server.log";
  if (on_postgres()) pg_database_ = create_pg_database();
}

std::unique_ptr<TestServer> TestServer::start(ServerOptions options) {
  std::unique_ptr<TestServer> server(new TestServer(std::move(options)));
  server->launch();
  return server;
}

void TestServer::launch() {
  std::vector<std::string> args{"serve", "--listen", "127.0.0.1:0", "--database", database_url()};
  if (options_.test_mode) args.emplace_back("--test-mode");
  args.insert(args.end(), options_.args.begin(), options_.args.end());
  std::map<std::string, std::string> env{{"PAYGATE_PROCESSING_DELAY_MS", "0"}};
  for (const auto& [k, v] : options_.env) env[k] = v;

  const auto log_start = read_file(log_path_).size();
  pid_ = spawn(args, env, log_path_, log_path_);
  port_ = 0;
  // The server logs the port it actually bound ("listening on 127.0.0.1:PORT").
  static const std::regex kListening(R"(listening on [^ ]*:(\d+) )");
  const bool found = eventually(
      [&] {
        const std::string log = read_file(log_path_).substr(log_start);
        std::smatch m;
        if (std::regex_search(log, m, kListening)) {
          port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
          return true;
        }
        return !running();
      },
      std::chrono::seconds(20));
  if (!found || port_ == 0 || !wait_healthy(std::chrono::seconds(20))) {
    const std::string log = read_file(log_path_);
    stop(SIGKILL);
    throw std::runtime_error("paygate did not start; its log:\n" + log);
  }
}

bool TestServer::wait_healthy(std::chrono::milliseconds timeout) {
  return eventually(
             [&] {
               if (!running()) return true;
               HttpClient c(port_);
               try {
                 return c.get("/health").status == 200;
               } catch (...) {
                 return false;
               }
             },
             timeout) &&
         running();
}

TestServer::~TestServer() {
  if (running()) stop(SIGKILL);
  if (!pg_database_.empty()) drop_pg_database(pg_database_);
  // Whatever the test did, the demo secret and the test cards must not have
  // reached the log (a whole e2e run is checked this way).
  const std::string log = read_file(log_path_);
  for (std::string_view secret :
       {kDemoSecret, std::string_view("4111111111111111"), std::string_view("4000000000000002"),
        std::string_view("4000000000009995"), std::string_view("4000000000000077")}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << secret << " is in the server's log";
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string TestServer::log() const {
  return read_file(log_path_);
}

HttpResponse TestServer::get(std::string_view target, const Headers& headers) const {
  return client().get(target, headers);
}

HttpResponse TestServer::post(std::string_view target, std::string_view body,
                              const Headers& headers) const {
  return client().post(target, body, headers);
}

bool TestServer::running() const {
  if (pid_ <= 0) return false;
  const int status = wait_exit(pid_, std::chrono::milliseconds(0));
  if (status == -1) return true;
  exit_status_ = status;  // reaped: remember how it ended
  pid_ = -1;
  return false;
}

int TestServer::stop(int sig, std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return exit_status_;
  ::kill(pid_, sig);
  const int status = wait_exit(pid_, timeout);
  if (status != -1) {
    pid_ = -1;
    exit_status_ = status;
  }
  return status;
}

void TestServer::restart() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    wait_exit(pid_, std::chrono::seconds(10));
    pid_ = -1;
  }
  launch();
}

void TestServer::relaunch(ServerOptions options) {
  if (pid_ > 0) stop(SIGTERM);
  if (pid_ > 0) stop(SIGKILL);
  options_ = std::move(options);
  launch();
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& args,
                                     const std::map<std::string, std::string>& env,
                                     std::string log_path)
    : log_path_(std::move(log_path)) {
  pid_ = spawn(args, env, log_path_, log_path_);
}

BackgroundProcess::~BackgroundProcess() {
  if (running()) stop(SIGKILL);
}

bool BackgroundProcess::running() const {
  if (pid_ <= 0) return false;
  const int status = wait_exit(pid_, std::chrono::milliseconds(0));
  if (status == -1) return true;
  exit_status_ = status;
  pid_ = -1;
  return false;
}

int BackgroundProcess::stop(int sig, std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return exit_status_;
  ::kill(pid_, sig);
  const int status = wait_exit(pid_, timeout);
  if (status != -1) {
    pid_ = -1;
    exit_status_ = status;
  }
  return status;
}

std::string BackgroundProcess::log() const {
  return read_file(log_path_);
}

std::unique_ptr<BackgroundProcess> TestServer::start_worker(
    const std::map<std::string, std::string>& env) const {
  static std::atomic<int> started{0};
  const std::string log_path = dir_ + "/worker-" + std::to_string(++started) + ".log";
  std::map<std::string, std::string> full_env{{"PAYGATE_PROCESSING_DELAY_MS", "0"}};
  for (const auto& [k, v] : env) full_env[k] = v;
  auto worker = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{"worker", "--database", database_url()}, full_env, log_path);
  const bool up = eventually(
      [&] {
        return !worker->running() || worker->log().find("worker running") != std::string::npos;
      },
      std::chrono::seconds(20));
  if (!up || !worker->running()) {
    const std::string log = worker->log();
    worker->stop(SIGKILL);
    throw std::runtime_error("paygate worker did not start; its log:\n" + log);
  }
  return worker;
}

ProcessResult TestServer::run_cli(const std::vector<std::string>& args) const {
  std::vector<std::string> full = args;
  full.emplace_back("--database");
  full.push_back(database_url());
  return run_paygate(full);
}

MerchantCreds create_merchant(const TestServer& server, const std::string& name,
                              const std::string& email) {
  const auto r = server.run_cli({"merchant", "create", "--name", name, "--email",
                                 email.empty() ? name + "@example.com" : email});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  boost::system::error_code ec;
  const auto v = boost::json::parse(r.out, ec);
  if (ec || !v.is_object()) {
    ADD_FAILURE() << "merchant create printed: " << r.out << r.err;
    return {};
  }
  const auto& o = v.as_object();
  return {str(o.at("id")), str(o.at("api_key")), str(o.at("api_secret"))};
}

}  // namespace paygate::test

namespace paygate::test {

ApiProcess start_api(const TestServer& first, const std::map<std::string, std::string>& env,
                     const std::string& name) {
  ApiProcess api;
  api.process = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{"serve", "--listen", "127.0.0.1:0", "--test-mode", "--no-workers",
                               "--database", first.database_url()},
      env, first.dir() + "/" + name + ".log");
  static const std::regex kListening(R"(listening on [^ ]*:(\d+) )");
  const bool up = eventually(
      [&] {
        std::smatch m;
        const std::string log = api.process->log();
        if (std::regex_search(log, m, kListening)) {
          api.port = static_cast<std::uint16_t>(std::stoi(m[1]));
        }
        return api.port != 0 || !api.process->running();
      },
      std::chrono::seconds(20));
  EXPECT_TRUE(up && api.port != 0) << api.process->log();
  return api;
}

}  // namespace paygate::test
