#include "http/listen_limits.h"

#include <sys/resource.h>
#include <sys/socket.h>

#include <charconv>
#include <fstream>
#include <string>

namespace paygate::http {

int listen_backlog_from(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) return SOMAXCONN;
  return value;
}

int listen_backlog() {
  std::ifstream in("/proc/sys/net/core/somaxconn");
  std::string text;
  if (!std::getline(in, text)) return SOMAXCONN;
  return listen_backlog_from(text);
}

OpenFileLimit raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return {};
  // An unlimited hard limit is still capped by the kernel (fs.nr_open).
  const rlim_t target = limit.rlim_max == RLIM_INFINITY ? rlim_t{1} << 20 : limit.rlim_max;
  if (limit.rlim_cur < target) {
    rlimit raised = limit;
    raised.rlim_cur = target;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return {static_cast<std::uint64_t>(limit.rlim_cur), static_cast<std::uint64_t>(limit.rlim_max)};
}

}  // namespace paygate::http
