// paygate events list | resend: the stored events (GET /api/v1/events) and a
// fresh delivery of one (POST /api/v1/events/{id}/resend).
#include <boost/json.hpp>
#include <thread>

#include "app.h"
#include "cli/options.h"
#include "cli/signals.h"
#include "cli/verbs.h"

namespace paygate::cli {

namespace {

namespace json = boost::json;

std::string text_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

Value value_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return Null{};
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
  if (v->is_bool()) return v->as_bool();
  return json::serialize(*v);
}

// The id of what the event is about: data.payment.id or data.refund.id.
std::string object_id(const json::object& event) {
  const auto* data = event.if_contains("data");
  if (data == nullptr || !data->is_object()) return "";
  for (const auto& [name, obj] : data->as_object()) {
    (void)name;
    if (obj.is_object()) {
      if (std::string id = text_of(obj.as_object(), "id"); !id.empty()) return id;
    }
  }
  return "";
}

const json::array& items_of(const json::value& v, std::string_view what) {
  const auto* o = v.if_object();
  const auto* items = o != nullptr ? o->if_contains("items") : nullptr;
  if (items == nullptr || !items->is_array()) {
    throw CliError(std::string(what) + " answered without an items array");
  }
  return items->as_array();
}

int list(const std::vector<std::string>& args) {
  po::options_description options("events list options");
  options.add_options()("type", po::value<std::string>(), "only events of this type")(
      "object-id", po::value<std::string>(), "only events about this payment or refund")(
      "count", po::value<std::string>(),
      "how many (newest first; the server's default if not given)")(
      "skip", po::value<std::string>(), "skip this many of the newest first");
  options.add(common_options());
  const VerbArgs a = parse_verb(args, options);
  if (a.help) {
    print_help("paygate events list [--type T] [--object-id ID] [--count N] [options]",
               "Lists the merchant's events, newest first, whether or not an endpoint subscribes\n"
               "to them. --format json prints each event object, as webhooks carry it, per line.",
               options);
    return kExitOk;
  }
  const CommonOptions common = resolve_common(a.vm, process_env_lookup());
  std::string query;
  for (const char* name : {"type", "object-id", "count", "skip"}) {
    const std::string v = opt(a.vm, name);
    if (v.empty()) continue;
    std::string param(name);
    std::ranges::replace(param, '-', '_');
    query += (query.empty() ? "?" : "&") + param + "=" + query_encode(v);
  }
  Api api(common.api);
  const std::string target = "/api/v1/events" + query;
  const json::value answer = api.get_json(target);
  Printer out(common.format);
  std::vector<std::vector<Cell>> rows;
  for (const auto& item : items_of(answer, target)) {
    if (!item.is_object()) continue;
    if (out.format() == Format::kJson) {
      out.line(json::serialize(item));
      continue;
    }
    const auto& e = item.as_object();
    rows.push_back({{"created_at", text_of(e, "created_at"), Style::kDim},
                    {"event", text_of(e, "event"), Style::kBold},
                    {"id", text_of(e, "id")},
                    {"object", object_id(e)}});
  }
  align_columns(rows);
  for (const auto& row : rows) out.row(row);
  if (out.format() == Format::kText && rows.empty()) note("no events");
  return kExitOk;
}

bool settled(const json::object& delivery) {
  return text_of(delivery, "status") != "pending";
}

int resend(const std::vector<std::string>& args) {
  po::options_description options("events resend options");
  options.add_options()("webhook-id", po::value<std::string>(),
                        "deliver to this endpoint only (default: every active endpoint "
                        "subscribed to the event's type)")(
      "wait", po::bool_switch(), "wait (up to 60 s) until each delivery succeeded or failed");
  options.add(common_options());
  po::options_description hidden;
  hidden.add_options()("id", po::value<std::string>());
  const VerbArgs a = parse_verb(args, options, hidden, {"id"});
  if (a.help) {
    print_help("paygate events resend EVENT_ID [--webhook-id W] [--wait] [options]",
               "Delivers a stored event again, as a fresh delivery (same event id, so a receiver\n"
               "can tell it is one it has seen), and prints the deliveries made.",
               options);
    return kExitOk;
  }
  const std::string id = opt(a.vm, "id");
  if (id.empty()) throw CliError("events resend needs an event id", kExitUsage);
  const CommonOptions common = resolve_common(a.vm, process_env_lookup());
  json::object body;
  if (const std::string w = opt(a.vm, "webhook-id"); !w.empty()) body["webhook_id"] = w;
  Api api(common.api);
  install_stop_handlers();
  const std::string target = "/api/v1/events/" + query_encode(id) + "/resend";
  const json::value answer = api.post_json(target, json::serialize(body));
  std::vector<json::object> deliveries;
  for (const auto& item : items_of(answer, target)) {
    if (item.is_object()) deliveries.push_back(item.as_object());
  }
  if (a.vm["wait"].as<bool>()) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (auto& d : deliveries) {
      const std::string log = "/api/v1/webhook-logs/" + query_encode(text_of(d, "id"));
      while (!settled(d) && std::chrono::steady_clock::now() < deadline && !stop_requested()) {
        sleep_unless_stopped(std::chrono::milliseconds(200));
        const json::value v = api.get_json(log);
        if (v.is_object()) d = v.as_object();
      }
    }
  }
  Printer out(common.format);
  std::vector<std::vector<Cell>> rows;
  for (auto& d : deliveries) {
    if (out.format() == Format::kJson) {
      d.erase("attempt_log");  // the log entry's detail, when --wait read it
      out.line(json::serialize(d));
      continue;
    }
    const Value code = value_of(d, "response_code");
    const std::string status = text_of(d, "status");
    rows.push_back({{"id", text_of(d, "id")},
                    {"webhook_id", text_of(d, "webhook_id"), Style::kDim},
                    {"event", text_of(d, "event_type"), Style::kBold},
                    {"status", status,
                     status == "success"  ? Style::kGreen
                     : status == "failed" ? Style::kRed
                                          : Style::kYellow},
                    {"response_code", code}});
  }
  align_columns(rows);
  for (const auto& row : rows) out.row(row);
  if (deliveries.empty()) note("no delivery made: no active endpoint takes this event");
  return kExitOk;
}

}  // namespace

int run_events(const std::vector<std::string>& args) {
  const std::string sub = args.empty() ? "" : args[0];
  const std::vector<std::string> rest(args.begin() + (args.empty() ? 0 : 1), args.end());
  if (sub == "list") return list(rest);
  if (sub == "resend") return resend(rest);
  if (sub == "--help" || sub == "-h") {
    std::fputs(
        "usage: paygate events list [--type T] [--object-id ID] [--count N] [options]\n"
        "       paygate events resend EVENT_ID [--webhook-id W] [--wait] [options]\n"
        "Run 'paygate events list --help' or 'paygate events resend --help' for their options.\n",
        stdout);
    return kExitOk;
  }
  throw CliError(sub.empty() ? "events needs a command: list or resend"
                             : "unknown events command '" + sub + "' (list, resend)",
                 kExitUsage);
}

}  // namespace paygate::cli
