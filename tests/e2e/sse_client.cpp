#include "sse_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace paygate::test {

namespace {

std::chrono::milliseconds left(std::chrono::steady_clock::time_point deadline) {
  return std::max(std::chrono::milliseconds(0),
                  std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now()));
}

}  // namespace

SseClient::SseClient(std::uint16_t port, std::string_view target, const Headers& headers) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return;
  std::string req = "GET " + std::string(target) +
                    " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
  for (const auto& [name, value] : headers) req += name + ": " + value + "\r\n";
  req += "\r\n";
  if (::send(fd_, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) return;

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto status_line = read_line(deadline);
  if (!status_line || status_line->size() < 12) return;
  status_ = std::atoi(status_line->c_str() + 9);
  std::size_t length = 0;
  for (;;) {
    auto line = read_line(deadline);
    if (!line || line->empty()) break;
    const auto colon = line->find(':');
    if (colon == std::string::npos) continue;
    std::string value = line->substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    head_.emplace_back(line->substr(0, colon), value);
    if (::strcasecmp(head_.back().first.c_str(), "Content-Length") == 0) {
      length = std::stoul(value);
    }
  }
  if (status_ != 200) {
    while (buffer_.size() < length && !eof_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left(deadline).count())) <= 0) break;
      char chunk[4096];
      const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
    error_body_ = buffer_.substr(0, length);
  }
}

SseClient::~SseClient() {
  if (fd_ >= 0) ::close(fd_);
}

std::string SseClient::header(std::string_view name) const {
  for (const auto& [n, v] : head_) {
    if (n.size() == name.size() && ::strncasecmp(n.data(), name.data(), n.size()) == 0) return v;
  }
  return "";
}

std::optional<std::string> SseClient::read_line(std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    if (eof_ || fd_ < 0) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left(deadline).count())) <= 0) return std::nullopt;
    char chunk[8192];
    const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) {
      eof_ = true;
      return std::nullopt;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

std::optional<SseMessage> SseClient::next(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  if (!partial_) partial_.emplace();
  partial_->comments.insert(partial_->comments.end(), pending_comments_.begin(),
                            pending_comments_.end());
  pending_comments_.clear();
  for (;;) {
    auto line = read_line(deadline);
    if (!line) return std::nullopt;  // the partial message is kept for the next call
    if (line->empty()) {
      if (!partial_->id.empty()) last_id_ = partial_->id;
      if (partial_->data.empty()) {
        // Nothing to dispatch (HTML's rule); its id and comments stay.
        partial_->event.clear();
        continue;
      }
      SseMessage m = std::move(*partial_);
      partial_.reset();
      return m;
    }
    if ((*line)[0] == ':') {
      partial_->comments.push_back(line->substr(std::min<std::size_t>(2, line->size())));
      continue;
    }
    const auto colon = line->find(':');
    const std::string field = line->substr(0, colon);
    std::string value = colon == std::string::npos ? "" : line->substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.erase(0, 1);
    if (field == "id") partial_->id = value;
    if (field == "event") partial_->event = value;
    if (field == "data") partial_->data += (partial_->data.empty() ? "" : "\n") + value;
  }
}

std::optional<std::string> SseClient::next_comment(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  if (!pending_comments_.empty()) {
    std::string c = pending_comments_.front();
    pending_comments_.erase(pending_comments_.begin());
    return c;
  }
  for (;;) {
    // Only whole lines at the start of a message are looked at here.
    auto line = read_line(deadline);
    if (!line) return std::nullopt;
    if (line->empty()) continue;
    if ((*line)[0] == ':') return line->substr(std::min<std::size_t>(2, line->size()));
    // A block: one with only an id is taken (it dispatches nothing); any
    // other is put back whole for next().
    std::vector<std::string> block{*line};
    while (auto more = read_line(deadline)) {
      if (more->empty()) break;
      block.push_back(*more);
    }
    const bool id_only = std::all_of(block.begin(), block.end(),
                                     [](const std::string& l) { return l.starts_with("id:"); });
    if (id_only) {
      last_id_ = block.back().substr(block.back().size() > 3 && block.back()[3] == ' ' ? 4 : 3);
      continue;
    }
    std::string back;
    for (const auto& l : block) back += l + "\n";
    buffer_.insert(0, back + "\n");
    return std::nullopt;
  }
}

bool SseClient::ended(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (read_line(deadline)) {
  }
  return eof_;
}

}  // namespace paygate::test
