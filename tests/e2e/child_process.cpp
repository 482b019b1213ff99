#include "child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <string_view>

#include "harness.h"

extern char** environ;

namespace paygate::test {

namespace {

// As harness.cpp's spawned paygate: no PAYGATE_* or DATABASE_URL of the
// machine leaks in; the test's own variables are added.
std::vector<std::string> child_env(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view kv(*e);
    if (kv.starts_with("PAYGATE_") || kv.starts_with("DATABASE_URL=")) continue;
    const auto eq = kv.find('=');
    if (eq != std::string_view::npos && extra.contains(std::string(kv.substr(0, eq)))) continue;
    env.emplace_back(kv);
  }
  for (const auto& [k, v] : extra) env.push_back(k + "=" + v);
  return env;
}

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env) {
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    throw std::runtime_error("pipe2 failed");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  bool started = true;
  try {
    pid_ = spawn_paygate(args, child_env(env), actions);
  } catch (const std::runtime_error&) {
    started = false;
  }
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (!started) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    throw std::runtime_error("cannot start " + std::string(PAYGATE_BINARY));
  }
  out_reader_ = std::thread([this, fd = out_pipe[0]] { read_loop(fd, &out_); });
  err_reader_ = std::thread([this, fd = err_pipe[0]] { read_loop(fd, &err_); });
}

ChildProcess::~ChildProcess() {
  if (running()) stop(SIGKILL, std::chrono::seconds(10));
  if (out_reader_.joinable()) out_reader_.join();
  if (err_reader_.joinable()) err_reader_.join();
}

void ChildProcess::read_loop(int fd, std::vector<std::string>* lines) {
  std::string partial;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    partial.append(buf, static_cast<std::size_t>(n));
    std::size_t nl = 0;
    std::vector<std::string> complete;
    while ((nl = partial.find('\n')) != std::string::npos) {
      complete.push_back(partial.substr(0, nl));
      partial.erase(0, nl + 1);
    }
    if (!complete.empty()) {
      std::lock_guard lock(mu_);
      for (auto& l : complete) lines->push_back(std::move(l));
      cv_.notify_all();
    }
  }
  ::close(fd);
  std::lock_guard lock(mu_);
  if (!partial.empty()) lines->push_back(std::move(partial));
  cv_.notify_all();
}

std::vector<std::string> ChildProcess::out_lines() const {
  std::lock_guard lock(mu_);
  return out_;
}

std::vector<std::string> ChildProcess::err_lines() const {
  std::lock_guard lock(mu_);
  return err_;
}

std::string ChildProcess::err_text() const {
  std::string all;
  for (const auto& l : err_lines()) all += l + "\n";
  return all;
}

std::string ChildProcess::wait_line(const std::vector<std::string>& lines,
                                    const std::function<bool(const std::string&)>& pred,
                                    std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  std::size_t seen = 0;
  std::string found;
  cv_.wait_for(lock, timeout, [&] {
    for (; seen < lines.size(); ++seen) {
      if (pred(lines[seen])) {
        found = lines[seen];
        return true;
      }
    }
    return false;
  });
  return found;
}

std::string ChildProcess::wait_out(const std::function<bool(const std::string&)>& pred,
                                   std::chrono::milliseconds timeout) const {
  return wait_line(out_, pred, timeout);
}

std::string ChildProcess::wait_err(const std::function<bool(const std::string&)>& pred,
                                   std::chrono::milliseconds timeout) const {
  return wait_line(err_, pred, timeout);
}

bool ChildProcess::wait_out_count(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return out_.size() >= n; });
}

bool ChildProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == 0) return true;
  if (r == pid_) {
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  pid_ = -1;
  return false;
}

int ChildProcess::stop(int sig, std::chrono::milliseconds timeout) {
  if (!running()) return exit_status_;
  ::kill(pid_, sig);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running()) {
      // The readers end at EOF, right after the exit.
      if (out_reader_.joinable()) out_reader_.join();
      if (err_reader_.joinable()) err_reader_.join();
      return exit_status_;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return -1;
}

}  // namespace paygate::test
