#include "recorder.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <string>

#include "harness.h"

namespace paygate::test {

namespace {

// The file of this process, opened once; -1 when recording is off.
int record_fd() {
  static const int fd = [] {
    const char* dir = std::getenv("PAYGATE_E2E_RECORD_DIR");
    if (dir == nullptr || *dir == '\0') return -1;
    const std::string path = std::string(dir) + "/" + std::to_string(::getpid()) + ".jsonl";
    const int f = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (f < 0) ADD_FAILURE() << "cannot record e2e responses to " << path;
    return f;
  }();
  return fd;
}

std::string current_test() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (info == nullptr) return "";
  return std::string(info->test_suite_name()) + "." + info->name();
}

}  // namespace

void record_exchange(std::string_view method, std::string_view target, const HttpResponse& res) {
  const int fd = record_fd();
  if (fd < 0 || res.status == 0) return;  // off, or no answer to check
  boost::json::object line;
  line["test"] = current_test();
  line["method"] = method;
  line["target"] = target;
  line["status"] = res.status;
  line["content_type"] = res.header("Content-Type");
  line["body"] = res.body;
  const std::string text = boost::json::serialize(line) + "\n";
  // One write per line: appends of one process never interleave.
  const ssize_t n = ::write(fd, text.data(), text.size());
  if (n != static_cast<ssize_t>(text.size())) ADD_FAILURE() << "short write recording a response";
}

}  // namespace paygate::test
