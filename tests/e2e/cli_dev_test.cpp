// The developer CLI against a real server and a real receiver: `listen`
// forwarding signed events across restarts of the server and of itself,
// `trigger` producing each event it lists, `logs tail` showing another
// client's requests, `events list` / `events resend`, and --format json.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "child_process.h"
#include "core/crypto.h"
#include "flows.h"
#include "harness.h"
#include "receiver.h"

namespace paygate::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// The CLI's environment for a server on this port, as the demo merchant.
std::map<std::string, std::string> cli_env(std::uint16_t port) {
  return {{"PAYGATE_API_URL", "http://127.0.0.1:" + std::to_string(port)},
          {"PAYGATE_API_KEY", std::string(kDemoKey)},
          {"PAYGATE_API_SECRET", std::string(kDemoSecret)}};
}

// Each line of out parsed as a JSON object (a test failure for any that is not).
std::vector<json::object> json_lines(const std::vector<std::string>& lines) {
  std::vector<json::object> out;
  for (const auto& l : lines) {
    if (l.empty()) continue;
    boost::system::error_code ec;
    const auto v = json::parse(l, ec);
    if (ec || !v.is_object()) {
      ADD_FAILURE() << "not a JSON object line: " << l;
      continue;
    }
    out.push_back(v.as_object());
  }
  return out;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto nl = text.find('\n', start);
    out.push_back(text.substr(start, nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

// Checks one forwarded event as a receiver would: both signature schemes from
// the raw body with the secret listen printed. Its event id.
std::string verify_forwarded(const ReceivedRequest& r, const std::string& secret) {
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.header("Content-Type"), "application/json");
  const std::string hex = hmac_sha256_hex(secret, r.body);
  EXPECT_EQ(r.header("X-Signature"), hex) << r.body;
  EXPECT_EQ(r.header("X-Webhook-Signature"), hex) << r.body;
  const std::string id = r.header("webhook-id");
  const std::string ts = r.header("webhook-timestamp");
  EXPECT_TRUE(id.starts_with("evt_")) << id;
  EXPECT_NEAR(std::stoll(ts.empty() ? "0" : ts), std::time(nullptr), 300);
  EXPECT_EQ(r.header("webhook-signature"),
            "v1," + base64_encode(hmac_sha256(secret, id + "." + ts + "." + r.body)));
  const json::value body = json::parse(r.body);
  EXPECT_EQ(str(body.at("id")), id);
  return id;
}

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// True when something accepts connections on 127.0.0.1:port.
bool accepts(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// `paygate serve` on a port of the test's choosing (so that a restart keeps
// it, as a developer's server does), API only: payments are settled by a
// worker process, which can go on while this server is down.
class FixedPortServer {
 public:
  FixedPortServer(std::string database_url, std::string dir, std::uint16_t port)
      : database_url_(std::move(database_url)), dir_(std::move(dir)), port_(port) {
    start();
  }
  void start() {
    process_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{"serve", "--listen", "127.0.0.1:" + std::to_string(port_),
                                 "--database", database_url_, "--test-mode", "--no-workers"},
        std::map<std::string, std::string>{{"PAYGATE_STREAM_HEARTBEAT_MS", "500"}},
        dir_ + "/fixed-" + std::to_string(++starts_) + ".log");
    // HttpClient fails the test on a refused connection: wait for the port first.
    const bool up = eventually([&] { return accepts(port_); }, 20s) &&
                    HttpClient(port_).get("/health").status == 200;
    ASSERT_TRUE(up) << process_->log();
  }
  void kill() { process_->stop(SIGKILL); }
  std::uint16_t port() const { return port_; }
  HttpClient client() const { return HttpClient(port_); }

 private:
  std::string database_url_;
  std::string dir_;
  std::uint16_t port_;
  int starts_ = 0;
  std::unique_ptr<BackgroundProcess> process_;
};

// A merchant payment of this instrument, not yet processed; its id.
std::string new_payment(HttpClient& c, json::object instrument) {
  return start_payment(c, std::move(instrument), /*merchant_endpoint=*/true);
}

TEST(CliDev, ListenForwardsSignedEventsAcrossRestartsOfServerAndListen) {
  // The database (with the demo merchant) comes from a TestServer; the API
  // then runs on a fixed port and a separate worker makes the events.
  auto base = TestServer::start();
  const std::string db = base->database_url();
  base->stop(SIGTERM);
  FixedPortServer api(db, base->dir(), free_port());
  const std::map<std::string, std::string> worker_env{{"PAYGATE_JOB_POLL_MS", "50"}};
  auto worker = base->start_worker(worker_env);

  Receiver receiver;
  TempDir home;
  const std::string state = home.path() + "/state/listen.json";
  const auto env = cli_env(api.port());
  const auto printed = run_paygate({"listen", "--print-secret", "--state-file", state}, env);
  ASSERT_EQ(printed.exit_code, 0) << printed.err;
  const std::string secret = split_lines(printed.out).at(0);
  ASSERT_TRUE(secret.starts_with("whsec_")) << printed.out;
  // Made once: asking again gives the same one.
  EXPECT_EQ(run_paygate({"listen", "--print-secret", "--state-file", state}, env).out, printed.out);

  const std::vector<std::string> listen_args{
      "listen", "--forward-to", receiver.url("/hook"), "--state-file", state, "--format", "json"};
  auto listen = std::make_unique<ChildProcess>(listen_args, env);
  ASSERT_FALSE(
      listen->wait_err([](const std::string& l) { return contains(l, "connected"); }).empty())
      << listen->err_text();
  EXPECT_FALSE(
      listen->wait_err([&](const std::string& l) { return contains(l, secret); }, 1s).empty())
      << "the secret is printed at start: " << listen->err_text();

  // 1. Both up: an event is forwarded, signed, and reported on one JSON line.
  auto c = api.client();
  std::vector<std::string> payments{new_payment(c, upi())};
  ASSERT_TRUE(receiver.wait_for("/hook", 1, 15s)) << listen->err_text();
  ASSERT_TRUE(listen->wait_out_count(1)) << listen->err_text();
  {
    const auto lines = json_lines(listen->out_lines());
    ASSERT_EQ(lines.size(), 1u);
    const auto& l = lines[0];
    EXPECT_EQ(l.at("event"), "payment.success");
    EXPECT_EQ(l.at("status"), 200);
    EXPECT_TRUE(l.at("latency_ms").is_int64());
    EXPECT_EQ(str(l.at("id")), receiver.requests("/hook")[0].header("webhook-id"));
    EXPECT_EQ(str(l.at("url")), receiver.url("/hook"));
    EXPECT_FALSE(str(l.at("seq")).empty());
    EXPECT_TRUE(is_iso_micros(str(l.at("time"))));
  }

  // 2. The server goes away; events are made while it is down (by the worker,
  // on payments created before), and come through once it is back.
  worker->stop(SIGTERM);
  payments.push_back(new_payment(c, upi("failure@upi")));
  payments.push_back(new_payment(c, upi()));
  api.kill();
  ASSERT_FALSE(
      listen->wait_err([](const std::string& l) { return contains(l, "closed"); }, 10s).empty())
      << listen->err_text();
  worker = base->start_worker(worker_env);
  {
    // Settled while the API server is down: read through a second API process.
    FixedPortServer other(db, base->dir(), free_port());
    auto oc = other.client();
    for (std::size_t i = 1; i < payments.size(); ++i) wait_settled(oc, payments[i]);
  }
  EXPECT_EQ(receiver.count("/hook"), 1u) << "nothing can come while the server is down";
  api.start();
  ASSERT_TRUE(receiver.wait_for("/hook", 3, 20s)) << listen->err_text();
  EXPECT_FALSE(
      listen->wait_err([](const std::string& l) { return contains(l, "reconnected"); }).empty())
      << listen->err_text();

  // 3. listen stops cleanly (SIGTERM), an event happens, a new listen resumes.
  EXPECT_EQ(listen->stop(SIGTERM), 0) << listen->err_text();
  payments.push_back(new_payment(c, upi()));
  wait_settled(c, payments.back());
  listen = std::make_unique<ChildProcess>(listen_args, env);
  ASSERT_TRUE(receiver.wait_for("/hook", 4, 15s)) << listen->err_text();
  ASSERT_TRUE(listen->wait_out_count(1)) << listen->err_text();

  // Every event of those payments exactly once, each verified, none twice.
  std::this_thread::sleep_for(500ms);  // a duplicate would have come by now
  const auto got = receiver.requests("/hook");
  ASSERT_EQ(got.size(), 4u);
  std::set<std::string> ids, objects;
  std::vector<std::string> types;
  for (const auto& r : got) {
    ids.insert(verify_forwarded(r, secret));
    const json::value body = json::parse(r.body);
    types.push_back(str(body.at("event")));
    objects.insert(str(body.at("data").at("payment").at("id")));
  }
  EXPECT_EQ(ids.size(), 4u) << "an event came twice";
  EXPECT_EQ(objects, std::set<std::string>(payments.begin(), payments.end()));
  std::ranges::sort(types);
  EXPECT_EQ(types, (std::vector<std::string>{"payment.failed", "payment.success", "payment.success",
                                             "payment.success"}));
  // In the order the server numbered them (the list is newest first).
  const json::object listed = object_of(c.get("/api/v1/events?count=10", demo_auth()));
  std::vector<std::string> stored;
  for (const auto& e : listed.at("items").as_array())
    stored.insert(stored.begin(), str(e.at("id")));
  std::vector<std::string> forwarded;
  for (const auto& r : got) forwarded.push_back(r.header("webhook-id"));
  EXPECT_EQ(forwarded, stored);
  EXPECT_EQ(listen->stop(SIGINT), 0) << listen->err_text();
}

// A first run has no cursor of its own: the stream's starting point (sent
// before any event) becomes it, so a server restart before the first event
// loses nothing either.
TEST(CliDev, ListenOnItsFirstRunLosesNothingToAServerRestart) {
  auto base = TestServer::start();
  const std::string db = base->database_url();
  base->stop(SIGTERM);
  FixedPortServer api(db, base->dir(), free_port());
  Receiver receiver;
  TempDir home;
  const auto env = cli_env(api.port());
  // The state in the default place: $XDG_STATE_HOME/paygate.
  auto with_home = env;
  with_home["XDG_STATE_HOME"] = home.path();
  ChildProcess listen({"listen", "--forward-to", receiver.url("/hook")}, with_home);
  ASSERT_FALSE(
      listen.wait_err([](const std::string& l) { return contains(l, "connected"); }).empty())
      << listen.err_text();
  auto c = api.client();
  const std::string payment = new_payment(c, upi());  // settled only once the server is down
  api.kill();
  ASSERT_FALSE(
      listen.wait_err([](const std::string& l) { return contains(l, "closed"); }, 10s).empty())
      << listen.err_text();
  auto worker = base->start_worker({{"PAYGATE_JOB_POLL_MS", "50"}});
  {
    FixedPortServer other(db, base->dir(), free_port());
    auto oc = other.client();
    wait_settled(oc, payment);
  }
  api.start();
  ASSERT_TRUE(receiver.wait_for("/hook", 1, 20s)) << listen.err_text();
  const auto secret = run_paygate({"listen", "--print-secret"}, with_home);
  ASSERT_EQ(secret.exit_code, 0) << secret.err;
  const auto r = receiver.requests("/hook").at(0);
  verify_forwarded(r, split_lines(secret.out).at(0));
  EXPECT_EQ(str(json::parse(r.body).at("data").at("payment").at("id")), payment);
  EXPECT_EQ(listen.stop(SIGTERM), 0) << listen.err_text();
  // One state file, private, in the state directory.
  std::vector<std::filesystem::path> files;
  for (const auto& f : std::filesystem::directory_iterator(home.path() + "/paygate")) {
    files.push_back(f.path());
  }
  ASSERT_EQ(files.size(), 1u);
  EXPECT_TRUE(files[0].filename().string().starts_with("listen-")) << files[0];
  EXPECT_EQ(std::filesystem::status(files[0]).permissions(),
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST(CliDev, ListenKeepsAnEventTheReceiverCouldNotTakeAndOnlyTypesAsked) {
  auto server = TestServer::start();
  TempDir home;
  const std::string state = home.path() + "/listen.json";
  const auto env = cli_env(server->port());
  // Nothing listens at first: the event is retried, never skipped.
  const std::string nowhere = "http://127.0.0.1:" + std::to_string(free_port()) + "/hook";
  auto listen = std::make_unique<ChildProcess>(
      std::vector<std::string>{"listen", "--forward-to", nowhere, "--state-file", state, "--events",
                               "payment.failed,refund.processed"},
      env);
  ASSERT_FALSE(
      listen->wait_err([](const std::string& l) { return contains(l, "connected"); }).empty())
      << listen->err_text();
  auto c = server->client();
  const std::string skipped = captured_payment(c);  // payment.success and .captured: not asked for
  const std::string failed = start_payment(c, upi("failure@upi"));
  wait_settled(c, failed);
  ASSERT_FALSE(
      listen->wait_err([](const std::string& l) { return contains(l, "did not answer"); }).empty())
      << listen->err_text();
  ASSERT_FALSE(
      listen->wait_err([](const std::string& l) { return contains(l, "retrying evt_"); }).empty());
  EXPECT_EQ(listen->stop(SIGTERM), 0) << listen->err_text();
  EXPECT_TRUE(listen->out_lines().empty());

  // The receiver exists now (at another URL); the same state resumes.
  Receiver receiver;
  receiver.respond_statuses("/hook", {500, 200});
  listen = std::make_unique<ChildProcess>(
      std::vector<std::string>{"listen", "--forward-to", receiver.url("/hook"), "--state-file",
                               state, "--events", "payment.failed,refund.processed"},
      env);
  ASSERT_TRUE(receiver.wait_for("/hook", 1, 15s)) << listen->err_text();
  // A refund of the captured payment: refund.processed is asked for.
  const auto refund = c.post("/api/v1/refunds",
                             json::serialize(json::object{{"payment_id", skipped}}), demo_auth());
  ASSERT_EQ(refund.status, 201) << refund.body;
  ASSERT_TRUE(receiver.wait_for("/hook", 2, 15s)) << listen->err_text();
  ASSERT_TRUE(listen->wait_out_count(2)) << listen->err_text();
  const auto got = receiver.requests("/hook");
  EXPECT_EQ(json::parse(got[0].body).at("event"), "payment.failed");
  EXPECT_EQ(json::parse(got[1].body).at("event"), "refund.processed");
  // Text lines: the event, its id and the receiver's answer (an answer, even
  // a 500, is final: listen reports it and goes on).
  const auto lines = listen->out_lines();
  EXPECT_TRUE(contains(lines[0], "payment.failed")) << lines[0];
  EXPECT_TRUE(contains(lines[0], got[0].header("webhook-id"))) << lines[0];
  EXPECT_TRUE(contains(lines[0], "[500]")) << lines[0];
  EXPECT_TRUE(contains(lines[1], "refund.processed")) << lines[1];
  EXPECT_TRUE(contains(lines[1], "[200]")) << lines[1];
  EXPECT_TRUE(contains(lines[1], " ms")) << lines[1];
  EXPECT_EQ(listen->stop(SIGTERM), 0);
}

// The payment's or refund's id among trigger's JSON lines.
std::string id_of(const std::vector<json::object>& lines, std::string_view object) {
  std::string id;
  for (const auto& l : lines) {
    if (str(l.at("object")) == object) id = str(l.at("id"));
  }
  return id;
}

TEST(CliDev, TriggerProducesEachEventItLists) {
  auto server = TestServer::start();
  const auto env = cli_env(server->port());
  const auto list = run_paygate({"trigger", "--list", "--format", "json"}, env);
  ASSERT_EQ(list.exit_code, 0) << list.err;
  std::vector<std::string> events;
  for (const auto& l : json_lines(split_lines(list.out))) events.push_back(str(l.at("event")));
  EXPECT_EQ(events,
            (std::vector<std::string>{"payment.success", "payment.failed", "payment.captured",
                                      "refund.processed", "refund.failed"}));
  auto c = server->client();
  for (const auto& event : events) {
    SCOPED_TRACE(event);
    const auto r = run_paygate({"trigger", event, "--format", "json"}, env);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto lines = json_lines(split_lines(r.out));
    ASSERT_FALSE(id_of(lines, "order").empty()) << r.out;
    const std::string payment = id_of(lines, "payment");
    ASSERT_TRUE(payment.starts_with("pay_")) << r.out;
    const std::string object = event.starts_with("refund.") ? id_of(lines, "refund") : payment;
    ASSERT_FALSE(object.empty()) << r.out;
    // The event happened, about that object.
    const auto res = c.get("/api/v1/events?type=" + event + "&object_id=" + object, demo_auth());
    ASSERT_EQ(res.status, 200) << res.body;
    const auto items = object_of(res).at("items").as_array();
    ASSERT_EQ(items.size(), 1u) << res.body;
    EXPECT_EQ(str(items[0].at("event")), event);
  }
  // Text output: one aligned line per object, ids included.
  const auto text = run_paygate({"trigger", "payment.success"}, env);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  const auto lines = split_lines(text.out);
  ASSERT_EQ(lines.size(), 2u) << text.out;
  EXPECT_TRUE(lines[0].starts_with("order     order_")) << lines[0];
  EXPECT_TRUE(lines[1].starts_with("payment   pay_")) << lines[1];
  EXPECT_TRUE(lines[1].ends_with("SUCCESS")) << lines[1];
  EXPECT_TRUE(contains(text.err, "payment.success triggered")) << text.err;
}

TEST(CliDev, LogsTailPrintsRequestsOfAnotherClient) {
  auto server = TestServer::start();
  const auto env = cli_env(server->port());
  ChildProcess json_tail({"logs", "tail", "--status", "4xx", "--format", "json"}, env);
  ChildProcess text_tail({"logs", "tail", "--path", "/api/v1/orders", "--method", "post"}, env);
  for (const auto* t : {&json_tail, &text_tail}) {
    ASSERT_FALSE(t->wait_err([](const std::string& l) { return contains(l, "connected"); }).empty())
        << t->err_text();
  }
  auto c = server->client();
  EXPECT_EQ(c.get("/api/v1/orders/order_doesnotexist00", demo_auth()).status, 404);
  const std::string order = create_order(c);
  const auto with_key = demo_auth();
  auto headers = with_key;
  headers.emplace_back("Idempotency-Key", "tail-test-key-1");
  EXPECT_EQ(c.post("/api/v1/orders", R"({"amount": 1000})", headers).status, 201);

  ASSERT_TRUE(json_tail.wait_out_count(1)) << json_tail.err_text();
  ASSERT_TRUE(text_tail.wait_out_count(2)) << text_tail.err_text();
  std::this_thread::sleep_for(300ms);  // anything filtered wrongly would be here by now
  const auto lines = json_lines(json_tail.out_lines());
  ASSERT_EQ(lines.size(), 1u) << "only the 404 passes --status 4xx";
  EXPECT_EQ(lines[0].at("method"), "GET");
  EXPECT_EQ(lines[0].at("path"), "/api/v1/orders/order_doesnotexist00");
  EXPECT_EQ(lines[0].at("status"), 404);
  EXPECT_TRUE(str(lines[0].at("request_id")).starts_with("req_"));
  const auto text = text_tail.out_lines();
  ASSERT_EQ(text.size(), 2u);
  EXPECT_TRUE(contains(text[0], "POST") && contains(text[0], "201") &&
              contains(text[0], "/api/v1/orders"))
      << text[0];
  EXPECT_TRUE(contains(text[1], "tail-test-key-1")) << text[1];
  EXPECT_FALSE(contains(text[0] + text[1], kDemoSecret));
  EXPECT_EQ(json_tail.stop(SIGINT), 0);
  EXPECT_EQ(text_tail.stop(SIGTERM), 0);
}

TEST(CliDev, EventsListAndResendDeliversAgain) {
  auto server = TestServer::start();
  const auto env = cli_env(server->port());
  Receiver receiver;
  auto c = server->client();
  const auto wh = c.post(
      "/api/v1/webhooks",
      json::serialize(json::object{{"url", receiver.url("/wh")}, {"events", {"payment.success"}}}),
      demo_auth());
  ASSERT_EQ(wh.status, 201) << wh.body;
  const std::string secret = str(object_of(wh).at("secret"));
  const std::string webhook_id = str(object_of(wh).at("id"));
  const std::string payment = start_payment(c, upi());
  wait_settled(c, payment);
  ASSERT_TRUE(receiver.wait_for("/wh", 1, 15s));

  const auto list =
      run_paygate({"events", "list", "--type", "payment.success", "--format", "json"}, env);
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const auto events = json_lines(split_lines(list.out));
  ASSERT_EQ(events.size(), 1u) << list.out;
  const std::string event_id = str(events[0].at("id"));
  EXPECT_EQ(event_id, receiver.requests("/wh")[0].header("webhook-id"));
  EXPECT_EQ(str(events[0].at("data").at("payment").at("id")), payment);
  // Text: one aligned row per event, with what it is about.
  const auto text = run_paygate({"events", "list"}, env);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_TRUE(contains(text.out, event_id) && contains(text.out, payment)) << text.out;

  for (const bool one_endpoint : {false, true}) {
    std::vector<std::string> args{"events", "resend", event_id, "--wait", "--format", "json"};
    if (one_endpoint) args.insert(args.end(), {"--webhook-id", webhook_id});
    const auto r = run_paygate(args, env);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto deliveries = json_lines(split_lines(r.out));
    ASSERT_EQ(deliveries.size(), 1u) << r.out;
    EXPECT_EQ(str(deliveries[0].at("webhook_id")), webhook_id);
    EXPECT_EQ(str(deliveries[0].at("event_id")), event_id);
    EXPECT_EQ(deliveries[0].at("status"), "success") << r.out;
  }
  ASSERT_TRUE(receiver.wait_for("/wh", 3, 15s));
  for (const auto& r : receiver.requests("/wh")) {
    EXPECT_EQ(r.header("webhook-id"), event_id);
    EXPECT_EQ(r.header("X-Signature"), hmac_sha256_hex(secret, r.body));
    EXPECT_EQ(r.body, receiver.requests("/wh")[0].body) << "the same event, byte for byte";
  }
}

TEST(CliDev, ErrorsAreOneLineWithExitCodes) {
  auto server = TestServer::start();
  auto env = cli_env(server->port());
  const auto one_line = [](const ProcessResult& r) {
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_TRUE(r.err.starts_with("paygate: ")) << r.err;
  };
  // Wrong secret: the server's own description.
  auto bad = env;
  bad["PAYGATE_API_SECRET"] = "wrong";
  auto r = run_paygate({"events", "list"}, bad);
  EXPECT_EQ(r.exit_code, 1);
  one_line(r);
  EXPECT_TRUE(contains(r.err, "AUTHENTICATION_ERROR, HTTP 401")) << r.err;
  r = run_paygate({"logs", "tail"}, bad);  // a stream refused is not retried
  EXPECT_EQ(r.exit_code, 1);
  one_line(r);
  // No server there.
  auto gone = env;
  gone["PAYGATE_API_URL"] = "http://127.0.0.1:" + std::to_string(free_port());
  r = run_paygate({"trigger", "payment.success"}, gone);
  EXPECT_EQ(r.exit_code, 1);
  one_line(r);
  EXPECT_TRUE(contains(r.err, "no answer from")) << r.err;
  // Usage: exit 2.
  for (const std::vector<std::string>& args : {std::vector<std::string>{"trigger", "payment.nope"},
                                               {"trigger"},
                                               {"events"},
                                               {"events", "resend"},
                                               {"logs"},
                                               {"logs", "tail", "--status", "4x"},
                                               {"listen"},
                                               {"events", "list", "--format", "yaml"},
                                               {"trigger", "--bogus"}}) {
    r = run_paygate(args, env);
    EXPECT_EQ(r.exit_code, 2) << args[0] << ": " << r.err;
    one_line(r);
    EXPECT_EQ(r.out, "");
  }
  std::map<std::string, std::string> no_key{{"HOME", "/nonexistent"}};
  r = run_paygate({"events", "list"}, no_key);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "PAYGATE_API_KEY")) << r.err;
  // Flags work as the environment does.
  r = run_paygate({"events", "list", "--api", "http://127.0.0.1:" + std::to_string(server->port()),
                   "--key", std::string(kDemoKey), "--secret", std::string(kDemoSecret)},
                  no_key);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // --help per verb: stdout, exit 0.
  for (const auto& [args, word] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"listen", "--help"}, "--forward-to"},
           {{"trigger", "--help"}, "--list"},
           {{"logs", "tail", "--help"}, "--status"},
           {{"events", "list", "--help"}, "--type"},
           {{"events", "resend", "--help"}, "--webhook-id"},
           {{"--help"}, "listen"}}) {
    r = run_paygate(args, {});
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
    EXPECT_TRUE(contains(r.out, word)) << args[0] << ": " << r.out;
  }
}

}  // namespace
}  // namespace paygate::test
