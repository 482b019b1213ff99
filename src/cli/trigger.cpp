// paygate trigger EVENT: makes, through the public merchant API, the objects
// whose changes cause EVENT (an order, a payment with the test instrument
// that ends the right way, a capture, a refund), waits for the change that
// emits it, and prints each object's id. Every POST carries an
// Idempotency-Key (api.h), so a retried call never makes a second object.
#include <array>
#include <boost/json.hpp>
#include <ctime>
#include <iostream>

#include "app.h"
#include "cli/options.h"
#include "cli/signals.h"
#include "cli/verbs.h"

namespace paygate::cli {

namespace {

namespace json = boost::json;

struct Trigger {
  std::string_view event;
  std::string_view how;
};

constexpr std::array<Trigger, 5> kTriggers{{
    {"payment.success", "an order and a UPI payment (success@upi) that succeeds"},
    {"payment.failed", "an order and a UPI payment (failure@upi) that fails"},
    {"payment.captured", "a payment that succeeds, then POST /payments/{id}/capture"},
    {"refund.processed", "a captured payment and a full refund that is processed"},
    {"refund.failed", "a captured payment of card 4000000000000077 and a refund that fails"},
}};

std::string text_of(const json::value& v, std::string_view key) {
  const auto* o = v.if_object();
  const auto* m = o != nullptr ? o->if_contains(key) : nullptr;
  return m != nullptr && m->is_string() ? std::string(m->as_string()) : std::string();
}

class Maker {
 public:
  Maker(Api& api, Printer& out, std::chrono::seconds timeout, std::int64_t amount)
      : api_(api),
        out_(out),
        deadline_(std::chrono::steady_clock::now() + timeout),
        amount_(amount) {}

  std::string order() {
    json::object body{{"amount", amount_},
                      {"currency", "INR"},
                      {"notes", json::object{{"made_by", "paygate trigger"}}}};
    const json::value o = api_.post_json("/api/v1/orders", json::serialize(body));
    return shown("order", o);
  }

  json::value payment(const std::string& order_id, json::object instrument) {
    instrument["order_id"] = order_id;
    const json::value p = api_.post_json("/api/v1/payments", json::serialize(instrument));
    const std::string id = text_of(p, "id");
    if (id.empty()) throw CliError("POST /api/v1/payments answered without an id");
    return wait_for("payment", "/api/v1/payments/" + id,
                    [](const std::string& s) { return s == "SUCCESS" || s == "FAILED"; });
  }

  json::value capture(const std::string& payment_id) {
    const json::value p = api_.post_json("/api/v1/payments/" + payment_id + "/capture", "{}");
    const auto* captured = p.is_object() ? p.as_object().if_contains("captured") : nullptr;
    if (captured == nullptr || !captured->is_bool() || !captured->as_bool()) {
      throw CliError("payment " + payment_id + " was not captured: " + json::serialize(p));
    }
    show("capture", payment_id, "captured");
    return p;
  }

  json::value refund(const std::string& payment_id) {
    json::object body{{"payment_id", payment_id}, {"reason", "paygate trigger"}};
    const json::value r = api_.post_json("/api/v1/refunds", json::serialize(body));
    const std::string id = text_of(r, "id");
    if (id.empty()) throw CliError("POST /api/v1/refunds answered without an id");
    return wait_for("refund", "/api/v1/refunds/" + id,
                    [](const std::string& s) { return s == "PROCESSED" || s == "FAILED"; });
  }

  // The object's status is `want`, or the trigger failed (a random failure
  // rate on the server, say): say what happened instead.
  static void expect(const json::value& obj, std::string_view what, std::string_view want) {
    const std::string status = text_of(obj, "status");
    if (status == want) return;
    std::string why = text_of(obj, "error_code");
    if (const std::string d = text_of(obj, "error_description"); !d.empty()) why += ": " + d;
    throw CliError(std::string(what) + " " + text_of(obj, "id") + " ended " + status + ", not " +
                   std::string(want) + (why.empty() ? "" : " (" + why + ")"));
  }

 private:
  template <class Done>
  json::value wait_for(std::string_view what, const std::string& target, Done done) {
    json::value last;
    std::chrono::milliseconds delay{100};
    for (;;) {
      last = api_.get_json(target);
      if (done(text_of(last, "status"))) break;
      if (std::chrono::steady_clock::now() >= deadline_) {
        throw CliError(std::string(what) + " " + text_of(last, "id") + " is still " +
                       text_of(last, "status") + " (gave up waiting; see --timeout)");
      }
      if (!sleep_unless_stopped(delay)) throw CliError("stopped");
      delay = std::min(delay * 2, std::chrono::milliseconds(1000));
    }
    shown(what, last);
    return last;
  }

  std::string shown(std::string_view what, const json::value& obj) {
    const std::string id = text_of(obj, "id");
    show(what, id, text_of(obj, "status"));
    return id;
  }

  void show(std::string_view what, const std::string& id, const std::string& status) {
    out_.row({{"object", std::string(what), Style::kBold, 8},
              {"id", id, Style::kPlain, 24},
              {"status", status, Style::kDim}});
  }

  Api& api_;
  Printer& out_;
  std::chrono::steady_clock::time_point deadline_;
  std::int64_t amount_;
};

json::object upi(std::string_view vpa) {
  return {{"method", "upi"}, {"vpa", vpa}};
}

json::object card(std::string_view number) {
  // A year ahead of now, so the test card never expires.
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  const std::string year = std::to_string(tm.tm_year + 1900 + 1);
  return {{"method", "card"},
          {"card",
           {{"number", number}, {"expiry_month", "12"}, {"expiry_year", year}, {"cvv", "123"}}}};
}

void run(std::string_view event, Maker& make) {
  if (event == "payment.success" || event == "payment.failed") {
    const bool ok = event == "payment.success";
    const json::value p = make.payment(make.order(), upi(ok ? "success@upi" : "failure@upi"));
    Maker::expect(p, "payment", ok ? "SUCCESS" : "FAILED");
    return;
  }
  const bool refund_fails = event == "refund.failed";
  const json::value p =
      make.payment(make.order(), refund_fails ? card("4000000000000077") : upi("success@upi"));
  Maker::expect(p, "payment", "SUCCESS");
  const std::string payment_id = text_of(p, "id");
  make.capture(payment_id);
  if (event == "payment.captured") return;
  const json::value r = make.refund(payment_id);
  Maker::expect(r, "refund", refund_fails ? "FAILED" : "PROCESSED");
}

}  // namespace

int run_trigger(const std::vector<std::string>& args) {
  po::options_description options("trigger options");
  options.add_options()("list", po::bool_switch(), "list the events this can trigger")(
      "amount", po::value<std::string>(), "the order's amount in paise (default 50000)")(
      "timeout", po::value<std::string>(),
      "seconds to wait for the payment or refund to settle (default 60)");
  options.add(common_options());
  po::options_description hidden;
  hidden.add_options()("event", po::value<std::string>());
  const VerbArgs a = parse_verb(args, options, hidden, {"event"});
  if (a.help) {
    print_help("paygate trigger EVENT [options] | paygate trigger --list",
               "Makes the objects that cause EVENT through the merchant API (test instruments\n"
               "decide the outcome) and prints their ids once the event has happened.",
               options);
    return kExitOk;
  }
  if (a.vm["list"].as<bool>()) {
    Format format = Format::kText;
    if (const std::string f = opt(a.vm, "format"); !parse_format(f, format)) {
      throw CliError("--format: '" + f + "' is not text or json", kExitUsage);
    }
    Printer out(format);
    for (const auto& t : kTriggers) {
      out.row(
          {{"event", std::string(t.event), Style::kBold, 18}, {"description", std::string(t.how)}});
    }
    return kExitOk;
  }
  const std::string event = opt(a.vm, "event");
  if (event.empty())
    throw CliError("trigger needs an event (see 'paygate trigger --list')", kExitUsage);
  if (std::ranges::none_of(kTriggers, [&](const Trigger& t) { return t.event == event; })) {
    throw CliError("cannot trigger '" + event + "' (see 'paygate trigger --list')", kExitUsage);
  }
  const auto number = [&](const char* name, std::int64_t fallback) {
    const std::string v = opt(a.vm, name);
    if (v.empty()) return fallback;
    try {
      std::size_t used = 0;
      const long long n = std::stoll(v, &used);
      if (used == v.size() && n > 0) return static_cast<std::int64_t>(n);
    } catch (const std::exception&) {
    }
    throw CliError("--" + std::string(name) + ": '" + v + "' is not a positive number", kExitUsage);
  };
  const std::int64_t amount = number("amount", 50000);
  const auto timeout = std::chrono::seconds(number("timeout", 60));
  const CommonOptions common = resolve_common(a.vm, process_env_lookup());
  install_stop_handlers();
  Api api(common.api);
  Printer out(common.format);
  Maker make(api, out, timeout, amount);
  run(event, make);
  if (out.format() == Format::kText) note(event + " triggered");
  return kExitOk;
}

}  // namespace paygate::cli
