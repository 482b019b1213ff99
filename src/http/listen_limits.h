// What lets one process hold many connections: a listen backlog as long as
// the kernel allows, and open-file limits that fit max_connections.
#pragma once

#include <cstdint>
#include <string_view>

namespace paygate::http {

// The backlog to listen() with: net.core.somaxconn (the kernel silently cuts
// a longer one to it), read from its /proc text; SOMAXCONN when unreadable.
int listen_backlog_from(std::string_view somaxconn_text);
int listen_backlog();

struct OpenFileLimit {
  std::uint64_t soft = 0;
  std::uint64_t hard = 0;
};

// Raises the soft open-file limit to the hard one (each connection is a file
// descriptor; the soft default is often 1024) and returns the limits after.
OpenFileLimit raise_open_file_limit();

}  // namespace paygate::http
