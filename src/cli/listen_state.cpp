#include "cli/listen_state.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <boost/json.hpp>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>

#include "cli/api.h"
#include "core/crypto.h"
#include "core/json_writer.h"

namespace paygate::cli {

namespace fs = std::filesystem;
namespace json = boost::json;

std::string state_dir(const char* xdg_state_home, const char* home) {
  // The XDG spec ignores a relative path.
  if (xdg_state_home != nullptr && xdg_state_home[0] == '/') {
    return std::string(xdg_state_home) + "/paygate";
  }
  if (home != nullptr && home[0] != '\0') return std::string(home) + "/.local/state/paygate";
  return "";
}

std::string state_file_name(std::string_view api_url, std::string_view api_key) {
  std::string id(api_url);
  id.push_back('\n');
  id.append(api_key);
  return "listen-" + sha256_hex(id).substr(0, 16) + ".json";
}

std::string new_signing_secret() {
  std::array<std::uint8_t, 32> bytes{};
  random_bytes(bytes);
  return "whsec_" +
         base64_encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

namespace {

std::string errno_text() {
  return std::strerror(errno);
}

std::string member(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

void save_state(const ListenState& state) {
  const fs::path path(state.path);
  if (path.has_parent_path()) {
    std::error_code ec;
    const bool made = fs::create_directories(path.parent_path(), ec);
    if (ec) {
      throw CliError("cannot make " + path.parent_path().string() + ": " + ec.message());
    }
    // Only the user reads a directory of signing secrets.
    if (made) fs::permissions(path.parent_path(), fs::perms::owner_all, ec);
  }
  JsonWriter w;
  w.begin_object()
      .field("api_url", std::string_view(state.api_url))
      .field("api_key", std::string_view(state.api_key))
      .field("secret", std::string_view(state.secret))
      .field("last_event_id", std::string_view(state.last_event_id))
      .end_object();
  std::string text = w.take();
  text.push_back('\n');

  const std::string tmp = state.path + ".tmp" + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw CliError("cannot write " + tmp + ": " + errno_text());
  ::fchmod(fd, 0600);  // O_CREAT's mode does not apply to a file left by a crash
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = errno_text();
      ::close(fd);
      ::unlink(tmp.c_str());
      throw CliError("cannot write " + tmp + ": " + why);
    }
    done += static_cast<std::size_t>(n);
  }
  // The cursor must survive a crash as written: a lost one resends events, a
  // torn one could lose the secret.
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const std::string why = errno_text();
    ::unlink(tmp.c_str());
    throw CliError("cannot write " + tmp + ": " + why);
  }
  if (::rename(tmp.c_str(), state.path.c_str()) != 0) {
    const std::string why = errno_text();
    ::unlink(tmp.c_str());
    throw CliError("cannot write " + state.path + ": " + why);
  }
}

ListenState load_or_create_state(const std::string& path, std::string_view api_url,
                                 std::string_view api_key) {
  ListenState state;
  state.path = path;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    state.api_url = std::string(api_url);
    state.api_key = std::string(api_key);
    state.secret = new_signing_secret();
    save_state(state);
    return state;
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw CliError("cannot read " + path + ": " + errno_text());
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > 64 * 1024) break;
  }
  ::close(fd);
  const auto v = parse_json(text);
  if (!v || !v->is_object() || member(v->as_object(), "secret").empty()) {
    throw CliError(path + " is not a paygate listen state file (move it away to start afresh)");
  }
  const auto& o = v->as_object();
  state.api_url = member(o, "api_url");
  state.api_key = member(o, "api_key");
  state.secret = member(o, "secret");
  state.last_event_id = member(o, "last_event_id");
  if (state.api_url.empty()) state.api_url = std::string(api_url);
  if (state.api_key.empty()) state.api_key = std::string(api_key);
  return state;
}

}  // namespace paygate::cli
