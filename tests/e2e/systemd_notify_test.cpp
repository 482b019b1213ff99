// paygate under systemd's Type=notify (packaging/paygate.service): a fake
// systemd listens at NOTIFY_SOCKET and checks what the server tells it and when.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "harness.h"

namespace paygate::test {
namespace {

using namespace std::chrono_literals;

// The datagram socket systemd gives a Type=notify service, bound in a
// temporary directory; each datagram is one notification.
class FakeSystemd {
 public:
  explicit FakeSystemd(const std::string& dir) : path_(dir + "/notify") {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error("cannot bind " + path_ + ": " + std::strerror(errno));
    }
  }
  ~FakeSystemd() { ::close(fd_); }
  FakeSystemd(const FakeSystemd&) = delete;
  FakeSystemd& operator=(const FakeSystemd&) = delete;

  const std::string& path() const { return path_; }

  // The next notification, or nullopt when none came within timeout.
  std::optional<std::string> next(std::chrono::milliseconds timeout) {
    const timeval tv{static_cast<time_t>(timeout.count() / 1000),
                     static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n < 0) return std::nullopt;
    return std::string(buffer, static_cast<std::size_t>(n));
  }

  // Notifications until one contains `wanted` (all of them, that one last),
  // or every one that came within timeout.
  std::vector<std::string> until(std::string_view wanted, std::chrono::milliseconds timeout) {
    std::vector<std::string> seen;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      auto message = next(std::max(left, 1ms));
      if (!message) break;
      seen.push_back(*message);
      if (message->find(wanted) != std::string::npos) break;
    }
    return seen;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

bool contains(const std::string& message, std::string_view line) {
  return ("\n" + message + "\n").find("\n" + std::string(line) + "\n") != std::string::npos;
}

// "serving on 127.0.0.1:PORT" in the READY notification's STATUS line.
std::uint16_t port_of(const std::string& ready) {
  const auto colon = ready.rfind(':');
  return colon == std::string::npos
             ? 0
             : static_cast<std::uint16_t>(std::stoi(ready.substr(colon + 1)));
}

// WATCHDOG=1 notifications until `wanted` came or `within` passed: how many.
int count_pets(FakeSystemd& systemd, int wanted, std::chrono::milliseconds within) {
  int pets = 0;
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (pets < wanted && std::chrono::steady_clock::now() < deadline) {
    auto message = systemd.next(500ms);
    if (message && contains(*message, "WATCHDOG=1")) ++pets;
  }
  return pets;
}

std::string sqlite_url(const TempDir& dir) {
  return "sqlite://" + dir.path() + "/paygate.db";
}

// The server says READY=1 only once its socket accepts connections: the
// moment the notification arrives, a request is answered. Then WATCHDOG=1
// keeps coming, at half WATCHDOG_USEC, and SIGTERM brings STOPPING=1 and a
// clean exit.
TEST(SystemdNotify, ServeIsReadyOnlyWhenItAnswersThenPetsTheWatchdogAndStopsGracefully) {
  PAYGATE_SQLITE_ONLY("the notification protocol does not depend on the database");
  TempDir dir;
  FakeSystemd systemd(dir.path());
  BackgroundProcess server(
      {"serve", "--test-mode", "--listen", "127.0.0.1:0", "--database", sqlite_url(dir)},
      {{"NOTIFY_SOCKET", systemd.path()}, {"WATCHDOG_USEC", "200000"}}, dir.path() + "/serve.log");

  const auto first = systemd.until("READY=1", 20s);
  ASSERT_FALSE(first.empty()) << server.log();
  const std::string& ready = first.back();
  ASSERT_TRUE(contains(ready, "READY=1")) << ready << "\n" << server.log();
  // Nothing before it claimed readiness or aliveness.
  for (std::size_t i = 0; i + 1 < first.size(); ++i) {
    EXPECT_FALSE(contains(first[i], "WATCHDOG=1")) << "a pet before READY=1: " << first[i];
  }
  const std::uint16_t port = port_of(ready);
  ASSERT_NE(port, 0) << ready;
  const auto health = HttpClient(port).get("/api/v1/health");
  EXPECT_EQ(health.status, 200) << health.body;

  // At 200 ms, a pet every 100 ms: five within a second and a half.
  const int pets = count_pets(systemd, 5, 1500ms);
  EXPECT_GE(pets, 5) << server.log();

  ASSERT_EQ(::kill(server.pid(), SIGTERM), 0);
  const auto last = systemd.until("STOPPING=1", 10s);
  ASSERT_FALSE(last.empty());
  EXPECT_TRUE(contains(last.back(), "STOPPING=1")) << last.back();
  EXPECT_EQ(server.stop(SIGTERM, 15s), 0) << server.log();
}

// Without NOTIFY_SOCKET (not started by systemd) nothing changes, and a
// watchdog is set up only when WATCHDOG_USEC asks for one.
TEST(SystemdNotify, WithoutSystemdTheServerRunsAsBefore) {
  auto server = TestServer::start();
  EXPECT_EQ(server->get("/api/v1/health").status, 200);
  EXPECT_EQ(server->log().find("systemd watchdog"), std::string::npos) << server->log();
}

// paygate-worker.service: the worker is ready once its job runner runs, and
// its runner's loop keeps the watchdog petted.
TEST(SystemdNotify, WorkerIsReadyAndPetsTheWatchdog) {
  PAYGATE_SQLITE_ONLY("the notification protocol does not depend on the database");
  TempDir dir;
  ASSERT_EQ(run_paygate({"migrate", "--database", sqlite_url(dir)}).exit_code, 0);
  FakeSystemd systemd(dir.path());
  BackgroundProcess worker({"worker", "--database", sqlite_url(dir)},
                           {{"NOTIFY_SOCKET", systemd.path()}, {"WATCHDOG_USEC", "200000"}},
                           dir.path() + "/worker.log");
  const auto first = systemd.until("READY=1", 20s);
  ASSERT_FALSE(first.empty()) << worker.log();
  EXPECT_TRUE(contains(first.back(), "READY=1")) << first.back();
  const int pets = count_pets(systemd, 5, 1500ms);
  EXPECT_GE(pets, 5) << worker.log();
  EXPECT_EQ(worker.stop(SIGTERM, 15s), 0) << worker.log();
}

}  // namespace
}  // namespace paygate::test
