// paygate listen: follows GET /api/v1/events/stream and forwards each event to
// a local URL, signed as webhooks are. In order, one at a time: the cursor
// (the stream id of the last event the receiver answered) is saved after each
// one, and every (re)connection asks to resume after it with Last-Event-ID,
// so a restart of the server or of listen loses no event and repeats none.
#include <fmt/format.h>

#include <charconv>
#include <ctime>
#include <optional>

#include "app.h"
#include "cli/forwarder.h"
#include "cli/listen_state.h"
#include "cli/options.h"
#include "cli/signals.h"
#include "cli/stream_loop.h"
#include "cli/verbs.h"
#include "core/clock.h"

namespace paygate::cli {

namespace {

constexpr std::chrono::milliseconds kForwardTimeout{30'000};
constexpr std::chrono::milliseconds kReceiverRetryFirst{500};
constexpr std::chrono::milliseconds kReceiverRetryMax{10'000};

// "2026-01-16 11:01:02", local time: a person compares it with their clock.
std::string local_time_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

class Listener {
 public:
  Listener(CommonOptions common, ListenState state, std::string forward_to, std::string types)
      : common_(std::move(common)),
        state_(std::move(state)),
        forward_to_(std::move(forward_to)),
        types_(std::move(types)),
        printer_(common_.format) {}

  int run() {
    note("forwarding events of " + common_.api.url + " to " + forward_to_ +
         (types_.empty() ? "" : " (" + types_ + ")"));
    note("signing secret: " + state_.secret);
    StreamLoop loop(common_.api, stream_target(), "event stream");
    loop.set_last_event_id(state_.last_event_id);
    for (;;) {
      // An event the receiver has not answered yet comes first: the stream
      // resumes after the last one it did.
      if (pending_ && !forward_until_answered(*pending_)) break;
      pending_.reset();
      loop.set_last_event_id(state_.last_event_id);
      loop.run_once([&](const SseMessage& m) { return on_message(m); },
                    [&] { return stop_requested(); });
      if (stop_requested()) break;
      if (pending_) continue;  // dropped the stream to wait for the receiver
      if (!loop.wait_before_reconnect()) break;
    }
    note("stopped; next start resumes after event " +
         (state_.last_event_id.empty() ? std::string("(none yet)") : state_.last_event_id));
    return kExitOk;
  }

 private:
  std::string stream_target() const {
    std::string target = "/api/v1/events/stream";
    if (!types_.empty()) target += "?types=" + query_encode(types_);
    return target;
  }

  bool on_message(const SseMessage& m) {
    // Asked to stop: the events after the one in hand (one read may carry
    // several) wait for the next start, which resumes after the saved cursor.
    if (stop_requested()) return false;
    if (m.kind == SseMessage::Kind::kComment) return true;
    if (m.kind == SseMessage::Kind::kIdOnly) {
      // A position with nothing to forward before it (a server may send one
      // on connect): start from there next time too.
      if (m.id && *m.id != state_.last_event_id) save_cursor(*m.id);
      return true;
    }
    ForwardedEvent event;
    if (!read_event(m.event, m.data, event)) {
      note("skipping a stream message that is not an event (" + m.event + ")");
      if (m.id) save_cursor(*m.id);
      return true;
    }
    event.seq = m.id.value_or("");
    if (state_.last_event_id.empty()) hold_place(event.seq);
    const HttpResponse answer = forward(http_, forward_to_, state_.secret, event, kForwardTimeout);
    if (!answer.answered()) {
      // Keep it and drop the stream: it is retried on its own, and the stream
      // then resumes after the last event the receiver did answer.
      note("receiver " + forward_to_ + " did not answer " + event.id + ": " + answer.error);
      pending_ = std::move(event);
      return false;
    }
    done(event, answer);
    return true;
  }

  // Retries with backoff until the receiver answers; false when stopped first.
  bool forward_until_answered(const ForwardedEvent& event) {
    auto delay = kReceiverRetryFirst;
    for (;;) {
      note("retrying " + event.id + " in " + std::to_string(delay.count()) + " ms");
      if (!sleep_unless_stopped(delay)) return false;
      const HttpResponse answer =
          forward(http_, forward_to_, state_.secret, event, kForwardTimeout);
      if (answer.answered()) {
        done(event, answer);
        return true;
      }
      note("receiver " + forward_to_ + " did not answer " + event.id + ": " + answer.error);
      if (stop_requested()) return false;
      delay = std::min(delay * 2, kReceiverRetryMax);
    }
  }

  void done(const ForwardedEvent& event, const HttpResponse& answer) {
    const auto status = static_cast<std::int64_t>(answer.status);
    if (printer_.format() == Format::kJson) {
      printer_.row({{"time", format_iso8601(now_micros())},
                    {"seq", event.seq.empty() ? Value(Null{}) : Value(event.seq)},
                    {"event", event.type},
                    {"id", event.id},
                    {"url", forward_to_},
                    {"status", status},
                    {"latency_ms", static_cast<std::int64_t>(answer.elapsed.count())}});
    } else {
      printer_.row({{"time", local_time_now(), Style::kDim},
                    {"event", event.type, Style::kBold, 18},
                    {"id", event.id, Style::kPlain, 22},
                    // fmt, not "[" + std::string: GCC 12 at -O3 warns falsely of
                    // an overlapping copy there (-Wrestrict, GCC bug 105329).
                    {"status", fmt::format("[{}]", status), status_style(status), 5},
                    {"url", fmt::format("POST {}", forward_to_)},
                    {"latency", fmt::format("{} ms", answer.elapsed.count()), Style::kDim}});
    }
    if (!event.seq.empty()) save_cursor(event.seq);
  }

  // The first event of a first run: until now there was no cursor, so a
  // restart before the receiver takes this event would start from the
  // server's newest and skip it. The ids are increasing whole numbers and the
  // stream resumes after the one given: one less resumes at this event.
  void hold_place(const std::string& seq) {
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(seq.data(), seq.data() + seq.size(), n);
    if (ec == std::errc() && end == seq.data() + seq.size() && n > 0)
      save_cursor(std::to_string(n - 1));
  }

  void save_cursor(const std::string& seq) {
    state_.last_event_id = seq;
    save_state(state_);
  }

  CommonOptions common_;
  ListenState state_;
  std::string forward_to_;
  std::string types_;
  Printer printer_;
  HttpClient http_;
  std::optional<ForwardedEvent> pending_;
};

}  // namespace

int run_listen(const std::vector<std::string>& args) {
  po::options_description options("listen options");
  options.add_options()("forward-to", po::value<std::string>(),
                        "the URL to POST each event to (required unless --print-secret)")(
      "events", po::value<std::string>(),
      "only these event types, comma-separated (e.g. payment.success,refund.processed)")(
      "print-secret", po::bool_switch(), "print the local signing secret and exit")(
      "state-file", po::value<std::string>(),
      "where the signing secret and the resume cursor are kept (default: "
      "$XDG_STATE_HOME/paygate or ~/.local/state/paygate, one file per API URL and key)");
  options.add(common_options());
  const VerbArgs a = parse_verb(args, options);
  if (a.help) {
    print_help("paygate listen --forward-to URL [--events a,b] [--print-secret] [options]",
               "Follows the server's live event stream and POSTs each event, as its exact JSON\n"
               "bytes, to URL, signed as paygate signs webhooks (X-Signature, X-Webhook-Signature\n"
               "and webhook-id/-timestamp/-signature) with a local signing secret. One line per\n"
               "event with the receiver's answer. Resumes where it stopped after a restart of\n"
               "either side; a receiver that cannot be reached is retried, nothing is skipped.",
               options);
    return kExitOk;
  }
  const bool print_secret = a.vm["print-secret"].as<bool>();
  const CommonOptions common = resolve_common(a.vm, process_env_lookup(), !print_secret);

  std::string path = opt(a.vm, "state-file");
  if (path.empty()) {
    const auto env = process_env_lookup();
    const std::string dir =
        state_dir(env("XDG_STATE_HOME").value_or("").c_str(), env("HOME").value_or("").c_str());
    if (dir.empty()) {
      throw CliError("no state directory: set XDG_STATE_HOME or HOME, or give --state-file",
                     kExitUsage);
    }
    path = dir + "/" + state_file_name(common.api.url, common.api.key);
  }
  const std::string forward_to = opt(a.vm, "forward-to");
  if (!print_secret) {
    if (forward_to.empty()) throw CliError("listen needs --forward-to URL", kExitUsage);
    if (!normalize_api_url(forward_to)) {
      throw CliError("--forward-to: '" + forward_to + "' is not an http(s) URL", kExitUsage);
    }
  }
  ListenState state = load_or_create_state(path, common.api.url, common.api.key);
  if (print_secret) {
    Printer(Format::kText).line(state.secret);
    return kExitOk;
  }
  install_stop_handlers();
  return Listener(common, std::move(state), forward_to, opt(a.vm, "events")).run();
}

}  // namespace paygate::cli
