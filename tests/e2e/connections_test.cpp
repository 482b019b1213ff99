// Many connections at once to one process: a burst of connects is taken from
// the listen queue as fast as it arrives (a backlog sized from
// net.core.somaxconn, accepts in a tight loop), and the server raises its own
// open-file limit, so that every connection is accepted and answered.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "harness.h"

namespace paygate::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// One client connection of the burst: connect, send one request, read the
// whole answer (the server closes after it: Connection: close).
struct Client {
  int fd = -1;
  enum class State { connecting, reading, done, failed } state = State::connecting;
  std::string answer;
  // Segments the client's kernel sent again: a SYN dropped, or a handshake
  // whose last ACK a full listen queue dropped (the request waits for it).
  std::uint32_t retransmitted = 0;
  Clock::time_point started;
  Clock::duration took{};
};

constexpr std::string_view kRequest =
    "GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

void finish(Client& c, Client::State state) {
  tcp_info info{};
  socklen_t size = sizeof info;
  if (::getsockopt(c.fd, IPPROTO_TCP, TCP_INFO, &info, &size) == 0) {
    c.retransmitted = info.tcpi_total_retrans;
  }
  c.state = state;
  c.took = Clock::now() - c.started;
  ::close(c.fd);
  c.fd = -1;
}

// Sends the request once the connect completed; false when it failed.
bool send_request(Client& c) {
  int error = 0;
  socklen_t size = sizeof error;
  if (::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0 || error != 0) return false;
  // A fresh socket's send buffer takes the whole request at once.
  return ::send(c.fd, kRequest.data(), kRequest.size(), MSG_NOSIGNAL) ==
         static_cast<ssize_t>(kRequest.size());
}

// Reads what is there; the answer is complete when the server closes.
void read_answer(Client& c) {
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
    if (n > 0) {
      c.answer.append(buffer, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) return finish(c, Client::State::done);
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    return finish(c, Client::State::failed);
  }
}

TEST(Connections, ABurstOf5000OpenedAtOnceIsEveryOneAcceptedAndAnswered) {
  constexpr std::size_t kConnections = 5000;
  // The server's soft limit at start is one that cannot hold the burst: it
  // must raise it to the hard limit itself. This process needs the burst's
  // descriptors and some for the harness.
  constexpr rlim_t kServerSoftLimit = 1024;
  const rlim_t needed = kConnections + 256;
  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_max < needed) {
    GTEST_SKIP() << "needs " << needed << " open files; the hard limit here is " << limit.rlim_max;
  }
  const rlimit original = limit;
  limit.rlim_cur = kServerSoftLimit;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &limit), 0);
  auto server = TestServer::start();  // inherits the low soft limit
  limit.rlim_cur = std::max(original.rlim_cur, needed);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &limit), 0);

  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(server->port());
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

  // Every connect is started before any answer is read.
  const auto burst = Clock::now();
  std::vector<Client> clients(kConnections);
  for (Client& c : clients) {
    c.started = Clock::now();
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ASSERT_GE(c.fd, 0) << "socket: " << std::strerror(errno);
    const int r = ::connect(c.fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
    if (r != 0 && errno != EINPROGRESS) finish(c, Client::State::failed);
  }

  // Then each is served as it becomes ready, until all are done or the
  // deadline (far beyond what this takes) passes.
  const auto deadline = burst + 60s;
  std::vector<pollfd> polled;
  std::vector<Client*> owners;
  for (;;) {
    polled.clear();
    owners.clear();
    for (Client& c : clients) {
      if (c.state == Client::State::connecting) {
        polled.push_back({c.fd, POLLOUT, 0});
      } else if (c.state == Client::State::reading) {
        polled.push_back({c.fd, POLLIN, 0});
      } else {
        continue;
      }
      owners.push_back(&c);
    }
    if (polled.empty() || Clock::now() >= deadline) break;
    if (::poll(polled.data(), polled.size(), 100) < 0 && errno != EINTR) break;
    for (std::size_t i = 0; i < polled.size(); ++i) {
      Client& c = *owners[i];
      if (polled[i].revents == 0) continue;
      if (c.state == Client::State::connecting) {
        if (send_request(c)) {
          c.state = Client::State::reading;
        } else {
          finish(c, Client::State::failed);
        }
      } else {
        read_answer(c);
      }
    }
  }
  const auto elapsed = Clock::now() - burst;

  std::size_t answered = 0;
  std::size_t failed = 0;
  std::size_t unfinished = 0;
  std::size_t retried = 0;
  Clock::duration slowest{};
  for (Client& c : clients) {
    if (c.retransmitted > 0) ++retried;
    if (c.state == Client::State::done && c.answer.starts_with("HTTP/1.1 200 ")) {
      ++answered;
      slowest = std::max(slowest, c.took);
    } else if (c.state == Client::State::done || c.state == Client::State::failed) {
      ++failed;
      if (failed == 1) ADD_FAILURE() << "first failure's answer: " << c.answer.substr(0, 300);
    } else {
      ++unfinished;
      ::close(c.fd);
    }
  }
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &original), 0);
  const auto ms = [](Clock::duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  };
  std::printf("burst of %zu: %zu answered in %lld ms, slowest %lld ms, %zu retransmitted\n",
              kConnections, answered, static_cast<long long>(ms(elapsed)),
              static_cast<long long>(ms(slowest)), retried);
  EXPECT_EQ(answered, kConnections) << failed << " failed, " << unfinished << " unfinished";
  EXPECT_TRUE(server->running());
  // Hardly any found the listen queue full: its connect (or its request,
  // behind a dropped handshake) waits a second or more for the kernel's
  // retry. The queue (net.core.somaxconn, 4096 by default) holds most of the
  // burst; the rest needs the accepting thread to run while the connects
  // arrive, which a machine busy with other work may delay for a few (with
  // the old backlog of 1024, about 4,000 had to be accepted meanwhile). Not
  // asked of a sanitizer build, whose server runs several times slower.
#if !defined(__SANITIZE_ADDRESS__)
  EXPECT_LE(retried, kConnections / 100)
      << "connections that waited for a retransmission, slowest " << ms(slowest) << " ms";
#endif
}

}  // namespace
}  // namespace paygate::test
