#include "logging/log.h"

#include <fmt/format.h>
#include <pthread.h>
#include <spdlog/async.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <atomic>
#include <csignal>
#include <memory>
#include <string>

#include "core/thread_name.h"

namespace paygate::logging {

namespace {

// Set once by setup(), before any thread logs.
std::atomic<bool> json_format{false};

// Marks a message that already is a list of JSON members, made by event().
constexpr char kMembers = '\x1e';

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

// %J: the message as JSON members: an event's own members, or "msg": "...".
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const std::string_view text(msg.payload.data(), msg.payload.size());
    std::string out;
    if (!text.empty() && text.front() == kMembers) {
      out.assign(text.substr(1));
    } else {
      out = "\"msg\":";
      append_json_string(out, text);
    }
    dest.append(out.data(), out.data() + out.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

bool needs_quotes(std::string_view s) {
  if (s.empty()) return true;
  for (char c : s) {
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) return true;
  }
  return false;
}

void append_value(std::string& out, const Field& f, bool json) {
  if (const auto* s = std::get_if<std::string_view>(&f.value)) {
    if (json || needs_quotes(*s)) {
      append_json_string(out, *s);
    } else {
      out += *s;
    }
  } else if (const auto* i = std::get_if<std::int64_t>(&f.value)) {
    fmt::format_to(std::back_inserter(out), "{}", *i);
  } else {
    fmt::format_to(std::back_inserter(out), "{:.3f}", std::get<double>(f.value));
  }
}

}  // namespace

void setup(const Config& config) {
  json_format = config.log_format == "json";
  // Asynchronous, so that an I/O thread never waits for stderr; under a flood
  // the oldest queued lines are dropped rather than the server slowed.
  // Its thread must never take a signal meant for the process (SIGTERM is
  // waited for by the main thread): start it with every signal blocked.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &previous);
  spdlog::init_thread_pool(8192, 1, [] { name_this_thread("log-writer"); });
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::async_logger>(
      "paygate", sink, spdlog::thread_pool(), spdlog::async_overflow_policy::overrun_oldest);
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  if (json_format) {
    formatter->add_flag<JsonMessageFlag>('J').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%J})");
  } else {
    formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %l %v");
  }
  logger->set_formatter(std::move(formatter));
  logger->set_level(spdlog::level::from_str(config.log_level));
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
}

void shutdown() {
  spdlog::shutdown();
}

void event(spdlog::level::level_enum level, std::string_view name,
           std::initializer_list<Field> fields) {
  if (!spdlog::should_log(level)) return;
  std::string line;
  line.reserve(256);
  if (json_format) {
    line += kMembers;
    line += "\"msg\":";
    append_json_string(line, name);
    for (const auto& f : fields) {
      line += ',';
      append_json_string(line, f.key);
      line += ':';
      append_value(line, f, true);
    }
  } else {
    line += name;
    for (const auto& f : fields) {
      line += ' ';
      line += f.key;
      line += '=';
      append_value(line, f, false);
    }
  }
  spdlog::log(level, "{}", line);
}

}  // namespace paygate::logging
