// paygate logs tail: follows GET /api/v1/requests/stream and prints the
// merchant's API requests as they finish, filtered here by status, path and
// method. The stream is not resumable: after a reconnection it goes on from
// the requests that finish then.
#include <algorithm>
#include <cctype>
#include <cstdio>

#include "app.h"
#include "cli/options.h"
#include "cli/request_filter.h"
#include "cli/signals.h"
#include "cli/stream_loop.h"
#include "cli/verbs.h"

namespace paygate::cli {

namespace {

namespace json = boost::json;

std::string string_member(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

// "0.54 ms", "12 ms": the server measures in fractions of a millisecond.
std::string duration_text(const json::object& o) {
  const auto* v = o.if_contains("duration_ms");
  if (v == nullptr || !(v->is_number())) return "-";
  const double ms = v->to_number<double>();
  char buf[32];
  std::snprintf(buf, sizeof buf, ms < 10 ? "%.2f ms" : "%.0f ms", ms);
  return buf;
}

std::int64_t int_member(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return 0;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
  if (v->is_double()) return static_cast<std::int64_t>(v->as_double());
  return 0;
}

// One request as a row (text) or the server's object as it came (json).
void print_request(Printer& out, const json::object& r, std::string_view raw) {
  if (out.format() == Format::kJson) {
    out.line(raw);
    return;
  }
  const std::int64_t status = int_member(r, "status");
  const std::string key = string_member(r, "idempotency_key");
  std::vector<Cell> row{
      {"created_at", string_member(r, "created_at"), Style::kDim, 27},
      {"method", string_member(r, "method"), Style::kBold, 6},
      {"status", status, status_style(status), 3},
      {"path", string_member(r, "path"), Style::kPlain, 32},
      {"duration", duration_text(r), Style::kPlain, 9},
      {"request_id", string_member(r, "request_id"), Style::kDim, 20},
  };
  if (!key.empty()) row.push_back({"idempotency_key", "idem " + key, Style::kDim});
  out.row(row);
}

}  // namespace

int run_logs(const std::vector<std::string>& args) {
  po::options_description options("logs tail options");
  options.add_options()("status", po::value<std::string>(),
                        "only these statuses: 404, 4xx, or a list (2xx,503)")(
      "path", po::value<std::string>(), "only paths that start with this (e.g. /api/v1/payments)")(
      "method", po::value<std::string>(), "only this method (GET, POST, ...)");
  options.add(common_options());
  po::options_description hidden;
  hidden.add_options()("sub", po::value<std::string>());
  const VerbArgs a = parse_verb(args, options, hidden, {"sub"});
  if (args.empty()) throw CliError("logs needs a command: tail", kExitUsage);
  if (a.help) {
    print_help("paygate logs tail [--status 4xx] [--path PREFIX] [--method M] [options]",
               "Follows the merchant's own API requests as they finish (method, path, status,\n"
               "latency, request id, idempotency key; never bodies or secrets), from any client.",
               options);
    return kExitOk;
  }
  if (opt(a.vm, "sub") != "tail") {
    throw CliError("unknown logs command '" + opt(a.vm, "sub") + "' (logs tail)", kExitUsage);
  }
  const CommonOptions common = resolve_common(a.vm, process_env_lookup());
  RequestFilter filter;
  if (const std::string s = opt(a.vm, "status");
      !s.empty() && !parse_status_filter(s, filter.statuses)) {
    throw CliError("--status: '" + s + "' is not a status (404) or a class (4xx)", kExitUsage);
  }
  filter.path_prefix = opt(a.vm, "path");
  filter.method = opt(a.vm, "method");
  std::ranges::transform(filter.method, filter.method.begin(),
                         [](unsigned char c) { return static_cast<char>(std::toupper(c)); });

  install_stop_handlers();
  Printer out(common.format);
  StreamLoop loop(common.api, "/api/v1/requests/stream", "request stream");
  for (;;) {
    loop.run_once(
        [&](const SseMessage& m) {
          if (m.kind != SseMessage::Kind::kEvent) return true;
          const auto v = parse_json(m.data);
          if (!v || !v->is_object()) return true;
          const auto& r = v->as_object();
          if (filter.matches(string_member(r, "method"), string_member(r, "path"),
                             int_member(r, "status"))) {
            print_request(out, r, m.data);
          }
          return true;
        },
        [] { return stop_requested(); });
    if (stop_requested() || !loop.wait_before_reconnect()) break;
  }
  return kExitOk;
}

}  // namespace paygate::cli
