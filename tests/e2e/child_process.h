// A long-running process under test (paygate listen, logs tail): started with
// its stdout and stderr read line by line as they come, waited on for a line,
// signalled, and killed at the end if it still runs.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace paygate::test {

class ChildProcess {
 public:
  // Starts `paygate args...` (the binary under test) with the environment of
  // a spawned paygate (harness.h) plus env.
  ChildProcess(const std::vector<std::string>& args,
               const std::map<std::string, std::string>& env = {});
  // SIGKILLs the process if it still runs, and reaps it.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Every complete line so far (without "\n").
  std::vector<std::string> out_lines() const;
  std::vector<std::string> err_lines() const;
  // Waits until some stdout (or stderr) line satisfies pred; that line, or
  // "" after timeout.
  std::string wait_out(const std::function<bool(const std::string&)>& pred,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  std::string wait_err(const std::function<bool(const std::string&)>& pred,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  // Waits until stdout has at least n lines; true if it did.
  bool wait_out_count(std::size_t n,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

  bool running();
  // Sends sig and waits for the exit: its status (128 + signal when killed by
  // one), or -1 when it did not exit in time. Output read to its end.
  int stop(int sig, std::chrono::milliseconds timeout = std::chrono::seconds(15));
  // Everything on stderr so far, for failure messages.
  std::string err_text() const;

 private:
  void read_loop(int fd, std::vector<std::string>* lines);
  std::string wait_line(const std::vector<std::string>& lines,
                        const std::function<bool(const std::string&)>& pred,
                        std::chrono::milliseconds timeout) const;

  pid_t pid_ = -1;
  int exit_status_ = -1;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::vector<std::string> out_;
  std::vector<std::string> err_;
  std::thread out_reader_;
  std::thread err_reader_;
};

}  // namespace paygate::test
