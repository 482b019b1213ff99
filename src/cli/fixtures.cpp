#include "cli/fixtures.h"

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "app.h"
#include "cli/api.h"
#include "cli/fixtures_refs.h"
#include "cli/options.h"
#include "cli/signals.h"
#include "core/ids.h"

namespace paygate::cli {

namespace {

namespace json = boost::json;

// The file's sections, made in this order, each entry POSTed to its endpoint.
struct Section {
  std::string_view name;
  std::string_view kind;  // what a row calls it
  std::string_view target;
};
constexpr Section kSections[] = {
    {"webhooks", "webhook", "/api/v1/webhooks"},
    {"orders", "order", "/api/v1/orders"},
    {"payments", "payment", "/api/v1/payments"},
    {"refunds", "refund", "/api/v1/refunds"},
};

// Keys of an entry that are for this command, not the API.
constexpr std::string_view kRef = "ref";
constexpr std::string_view kCapture = "capture";           // payments: capture on success
constexpr std::string_view kWait = "wait";                 // payments: wait until settled
constexpr std::string_view kTestOutcome = "test_outcome";  // payments: X-Paygate-Test-Outcome

std::string text_of(const json::value& v, std::string_view key) {
  const auto* o = v.if_object();
  const auto* m = o != nullptr ? o->if_contains(key) : nullptr;
  return m != nullptr && m->is_string() ? std::string(m->as_string()) : std::string();
}

bool is_ref_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

json::object read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CliError("cannot read " + path, kExitUsage);
  std::ostringstream text;
  text << in.rdbuf();
  const auto v = parse_json(text.str());
  if (!v || !v->is_object()) throw CliError(path + " is not a JSON object", kExitUsage);
  return v->as_object();
}

// The whole file checked before anything is made: known sections, entries
// that are objects, refs unique and named like identifiers, and every
// reference to an object made earlier in the file.
void check(const json::object& file) {
  for (const auto& [key, value] : file) {
    const bool known =
        std::ranges::any_of(kSections, [&](const Section& s) { return s.name == key; });
    if (!known) {
      throw CliError(
          "unknown section \"" + std::string(key) + "\" (webhooks, orders, payments, refunds)",
          kExitUsage);
    }
    if (!value.is_array()) throw CliError(std::string(key) + " must be an array", kExitUsage);
  }
  std::set<std::string, std::less<>> named;
  for (const auto& section : kSections) {
    const auto* entries = file.if_contains(section.name);
    if (entries == nullptr) continue;
    std::size_t i = 0;
    for (const auto& entry : entries->as_array()) {
      const std::string where = std::string(section.name) + "[" + std::to_string(i++) + "]";
      if (!entry.is_object()) throw CliError(where + " must be an object", kExitUsage);
      for (const auto& name : references_in(entry, where)) {
        if (!named.contains(name)) {
          throw CliError(where + ": ${" + name + "} names no earlier object's \"ref\"", kExitUsage);
        }
      }
      if (const auto* ref = entry.as_object().if_contains(kRef)) {
        if (!ref->is_string() || !is_ref_name(ref->as_string())) {
          throw CliError(where + ": \"ref\" must be 1-64 of A-Z a-z 0-9 _ -", kExitUsage);
        }
        if (!named.emplace(ref->as_string()).second) {
          throw CliError(
              where + ": \"ref\": \"" + std::string(ref->as_string()) + "\" is used twice",
              kExitUsage);
        }
      }
    }
  }
}

class Loader {
 public:
  Loader(Api& api, Printer& out, std::chrono::seconds timeout)
      : api_(api), out_(out), timeout_(timeout) {}

  void load(const json::object& file) {
    for (const auto& section : kSections) {
      const auto* entries = file.if_contains(section.name);
      if (entries == nullptr) continue;
      std::size_t i = 0;
      for (const auto& entry : entries->as_array()) {
        const std::string where = std::string(section.name) + "[" + std::to_string(i++) + "]";
        // Every failure names the entry it stopped at.
        try {
          make(section, resolve_references(entry, made_, where).as_object(), where);
        } catch (const CliError& e) {
          if (std::string_view(e.what()).starts_with(where)) throw;
          throw CliError(where + ": " + e.what(), e.exit_code());
        }
      }
    }
  }

 private:
  void make(const Section& section, json::object body, const std::string& where) {
    const std::string ref = text_of(body, kRef);
    body.erase(kRef);
    bool capture = false;
    bool wait = false;
    std::string script;
    if (section.name == "payments") {
      capture = flag(body, kCapture, where);
      wait = flag(body, kWait, where);
      if (const auto* t = body.if_contains(kTestOutcome)) {
        if (!t->is_string()) throw CliError(where + ": test_outcome must be a string");
        script = std::string(t->as_string());
        body.erase(kTestOutcome);
      }
    }
    if (section.name == "refunds") settled_payment(text_of(body, "payment_id"), where);
    json::value answer = post(section.target, json::serialize(body), script, where);
    const std::string id = text_of(answer, "id");
    if (capture) {
      // Recorded now, done the moment the payment succeeds (docs/API.md).
      answer = api_.post_json("/api/v1/payments/" + id + "/capture", "{}");
    }
    if (wait) answer = settled_payment(id, where);
    out_.row({{"type", std::string(section.kind), Style::kBold, 8},
              {"ref", ref.empty() ? Value(Null{}) : Value(ref), Style::kPlain, 12},
              {"id", id, Style::kPlain, 24},
              {"status",
               answer.is_object() && answer.as_object().contains("status")
                   ? Value(text_of(answer, "status"))
                   : Value(Null{}),
               Style::kDim}});
    if (!ref.empty()) made_[ref] = std::move(answer);
  }

  static bool flag(json::object& body, std::string_view key, const std::string& where) {
    const auto* v = body.if_contains(key);
    if (v == nullptr) return false;
    if (!v->is_bool()) throw CliError(where + ": " + std::string(key) + " must be true or false");
    const bool on = v->as_bool();
    body.erase(key);
    return on;
  }

  // POST with a fresh Idempotency-Key kept on every retry (as Api does), and
  // the payment's X-Paygate-Test-Outcome when it has one.
  json::value post(std::string_view target, const std::string& body, const std::string& script,
                   const std::string& where) {
    if (script.empty()) return api_.post_json(target, body);
    HttpRequest request;
    request.method = "POST";
    request.url = api_.url(target);
    request.headers = api_.auth_headers();
    request.headers.emplace_back("Content-Type", "application/json");
    request.headers.emplace_back("Idempotency-Key", "cli_" + random_alnum(24));
    request.headers.emplace_back("X-Paygate-Test-Outcome", script);
    request.body = body;
    HttpResponse r;
    for (int attempt = 0; attempt < 4; ++attempt) {
      r = api_.http().send(request, [] { return stop_requests() > 1; });
      const bool again = !r.answered() || r.status == 409 || r.status == 429 || r.status >= 500;
      if (!again || !sleep_unless_stopped(std::chrono::milliseconds(250 << attempt))) break;
    }
    if (r.status < 200 || r.status >= 300) {
      throw CliError(where + ": " + describe_failure(r, target));
    }
    auto v = parse_json(r.body);
    if (!v) throw CliError(where + ": " + std::string(target) + " answered something not JSON");
    return std::move(*v);
  }

  // The payment once SUCCESS or FAILED (a refund needs it captured and
  // successful: said here rather than as the server's 400).
  json::value settled_payment(const std::string& id, const std::string& where) {
    if (id.empty()) throw CliError(where + ": payment_id is required");
    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    std::chrono::milliseconds delay{100};
    for (;;) {
      json::value p = api_.get_json("/api/v1/payments/" + id);
      const std::string status = text_of(p, "status");
      if (status == "SUCCESS" || status == "FAILED") {
        if (made_for_refund(where) && (status != "SUCCESS" || !p.at("captured").as_bool())) {
          throw CliError(where + ": payment " + id + " is " + status +
                         (status == "SUCCESS" ? ", not captured (give it \"capture\": true)" : "") +
                         "; only a captured, successful payment can be refunded");
        }
        return p;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        throw CliError(where + ": payment " + id + " is still " + status +
                       " (gave up waiting; see --timeout)");
      }
      if (!sleep_unless_stopped(delay)) throw CliError("stopped");
      delay = std::min(delay * 2, std::chrono::milliseconds(1000));
    }
  }

  static bool made_for_refund(std::string_view where) { return where.starts_with("refunds"); }

  Api& api_;
  Printer& out_;
  std::chrono::seconds timeout_;
  Made made_;
};

constexpr std::string_view kAbout =
    "Makes the objects FILE describes through the merchant API, in this order: webhook\n"
    "endpoints, orders, payments, refunds, and prints each one's type, ref, id and status.\n"
    "FILE is a JSON object with any of the arrays \"webhooks\", \"orders\", \"payments\" and\n"
    "\"refunds\"; each entry is the body of its POST (/api/v1/webhooks, /orders, /payments,\n"
    "/refunds), plus \"ref\": a name later entries use to refer to it, as \"${name}\" (its id)\n"
    "or \"${name.field}\" (a field of the server's answer). Payments also take \"capture\":\n"
    "true (captured once it succeeds), \"wait\": true (printed once settled) and\n"
    "\"test_outcome\" (sent as X-Paygate-Test-Outcome); a refund waits for its payment to\n"
    "settle. Nothing is made when the file is not valid. See docs/API.md, \"Testing\".";

int run_load(const std::vector<std::string>& args) {
  po::options_description options("fixtures load options");
  options.add_options()("timeout", po::value<std::string>(),
                        "seconds to wait for a payment to settle (default 60)");
  options.add(common_options());
  po::options_description hidden;
  hidden.add_options()("file", po::value<std::string>());
  const VerbArgs a = parse_verb(args, options, hidden, {"file"});
  if (a.help) {
    print_help("paygate fixtures load FILE [options]", kAbout, options);
    return kExitOk;
  }
  const std::string path = opt(a.vm, "file");
  if (path.empty()) throw CliError("fixtures load needs a FILE", kExitUsage);
  std::int64_t timeout = 60;
  if (const std::string t = opt(a.vm, "timeout"); !t.empty()) {
    try {
      std::size_t used = 0;
      timeout = std::stoll(t, &used);
      if (used != t.size() || timeout <= 0) throw std::invalid_argument(t);
    } catch (const std::exception&) {
      throw CliError("--timeout: '" + t + "' is not a positive number of seconds", kExitUsage);
    }
  }
  const CommonOptions common = resolve_common(a.vm, process_env_lookup());
  const json::object file = read_file(path);
  check(file);
  install_stop_handlers();
  Api api(common.api);
  Printer out(common.format);
  Loader(api, out, std::chrono::seconds(timeout)).load(file);
  return kExitOk;
}

}  // namespace

int run_fixtures(const std::vector<std::string>& args) {
  static constexpr const char* kUsage = "usage: paygate fixtures load FILE [options]\n";
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? kExitUsage : kExitOk;
  }
  if (args[0] != "load") throw CliError("unknown fixtures command '" + args[0] + "'", kExitUsage);
  return run_load(std::vector<std::string>(args.begin() + 1, args.end()));
}

}  // namespace paygate::cli
