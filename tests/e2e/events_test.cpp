// The events log and its live streams (issue #21): GET /events, /events/{id},
// resend, the events stream with Last-Event-ID, the requests stream, the
// stream limits, and the retention purge.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <boost/json.hpp>
#include <csignal>
#include <set>

#include "flows.h"
#include "harness.h"
#include "receiver.h"
#include "sse_client.h"

namespace paygate::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::string_view kEvents = "/api/v1/events";

json::array items_of(const HttpResponse& res) {
  const auto o = object_of(res);
  if (!o.contains("items") || !o.at("items").is_array()) {
    ADD_FAILURE() << "not a collection: " << res.body;
    return {};
  }
  return o.at("items").as_array();
}

json::array list_events(HttpClient& c, std::string_view query = "",
                        const Headers& headers = demo_auth()) {
  const auto res = c.get(std::string(kEvents) + std::string(query), headers);
  EXPECT_EQ(res.status, 200) << res.body;
  return items_of(res);
}

std::string event_object_id(const json::value& event) {
  const auto& data = event.at("data").as_object();
  const auto& object = data.contains("payment") ? data.at("payment") : data.at("refund");
  return str(object.at("id"));
}

// A payment that settled with this VPA; its id.
std::string settled_payment(HttpClient& c, std::string_view vpa = "success@upi",
                            const Headers& headers = demo_auth()) {
  const std::string id = start_payment(c, upi(vpa), true, headers);
  wait_settled(c, id, headers);
  return id;
}

std::string add_webhook(HttpClient& c, const std::string& url) {
  json::object body{{"url", url}, {"events", json::array{"payment.success", "payment.failed"}}};
  const auto res = c.post("/api/v1/webhooks", json::serialize(body), demo_auth());
  EXPECT_EQ(res.status, 201) << res.body;
  return str(object_of(res).at("id"));
}

// Runs SQL on the server's database, whichever backend it is.
void run_sql(const TestServer& server, const std::string& sql) {
  if (on_postgres()) {
    pg_query(server.database_url(), sql);
    return;
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(server.db_path().c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

TEST(Events, EveryEventIsListedNewestFirstWithNoEndpoint) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string ok = settled_payment(c);
  const std::string declined = settled_payment(c, "failure@upi");

  // Nothing subscribes, and both are kept.
  const auto all = list_events(c);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(str(all[0].at("event")), "payment.failed");
  EXPECT_EQ(event_object_id(all[0]), declined);
  EXPECT_EQ(str(all[1].at("event")), "payment.success");
  EXPECT_EQ(event_object_id(all[1]), ok);
  EXPECT_TRUE(str(all[1].at("id")).starts_with("evt_"));
  EXPECT_TRUE(is_iso_micros(str(all[1].at("created_at"))));

  const auto failed = list_events(c, "?type=payment.failed");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(event_object_id(failed[0]), declined);
  const auto of_ok = list_events(c, "?object_id=" + ok);
  ASSERT_EQ(of_ok.size(), 1u);
  EXPECT_EQ(str(of_ok[0].at("event")), "payment.success");
  EXPECT_EQ(list_events(c, "?count=1&skip=1").size(), 1u);

  const auto one = c.get(std::string(kEvents) + "/" + str(all[1].at("id")), demo_auth());
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.json(), all[1]);

  EXPECT_EQ(c.get(std::string(kEvents) + "/evt_0000000000000000", demo_auth()).status, 404);
  EXPECT_EQ(c.get(std::string(kEvents) + "?type=payment.nope", demo_auth()).status, 400);
  EXPECT_EQ(c.get(std::string(kEvents)).status, 401);

  // Another merchant sees none of them.
  const auto other = create_merchant(*server, "other");
  EXPECT_TRUE(list_events(c, "", other.headers()).empty());
  EXPECT_EQ(c.get(std::string(kEvents) + "/" + str(all[1].at("id")), other.headers()).status, 404);
}

TEST(Events, ResendDeliversTheSameEventAgain) {
  auto server = TestServer::start();
  Receiver receiver;
  auto c = server->client();
  const std::string webhook = add_webhook(c, receiver.url("/hook"));
  settled_payment(c);
  ASSERT_TRUE(receiver.wait_for("/hook", 1));
  const auto event = list_events(c)[0];
  const std::string id = str(event.at("id"));

  const auto res = c.post(std::string(kEvents) + "/" + id + "/resend", "", demo_auth());
  ASSERT_EQ(res.status, 201) << res.body;
  const auto made = items_of(res);
  ASSERT_EQ(made.size(), 1u);
  EXPECT_EQ(str(made[0].at("event_id")), id);
  EXPECT_EQ(str(made[0].at("webhook_id")), webhook);
  ASSERT_TRUE(receiver.wait_for("/hook", 2));
  const auto got = receiver.requests("/hook");
  EXPECT_EQ(got[1].body, got[0].body);  // the same bytes, the event's own
  EXPECT_EQ(json::parse(got[1].body), event);

  // To one endpoint by id; the event's deliveries are listed by event_id.
  const auto to_one = c.post(std::string(kEvents) + "/" + id + "/resend",
                             json::serialize(json::object{{"webhook_id", webhook}}), demo_auth());
  ASSERT_EQ(to_one.status, 201) << to_one.body;
  ASSERT_TRUE(receiver.wait_for("/hook", 3));
  const auto logs = c.get("/api/v1/webhook-logs?event_id=" + id, demo_auth());
  ASSERT_EQ(logs.status, 200);
  EXPECT_EQ(logs.json().as_array().size(), 3u);

  const auto unknown =
      c.post(std::string(kEvents) + "/" + id + "/resend",
             json::serialize(json::object{{"webhook_id", "wh_nope"}}), demo_auth());
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_EQ(c.post(std::string(kEvents) + "/evt_0000000000000000/resend", "", demo_auth()).status,
            404);

  // Only its merchant may resend it, and only when authenticated.
  const auto other = create_merchant(*server, "other");
  EXPECT_EQ(c.post(std::string(kEvents) + "/" + id + "/resend", "", other.headers()).status, 404);
  EXPECT_EQ(c.post(std::string(kEvents) + "/" + id + "/resend", "").status, 401);

  // A retried resend under one Idempotency-Key delivers once, and replays.
  auto keyed = demo_auth();
  keyed.emplace_back("Idempotency-Key", "resend-once");
  const auto first = c.post(std::string(kEvents) + "/" + id + "/resend", "", keyed);
  ASSERT_EQ(first.status, 201) << first.body;
  const auto again = c.post(std::string(kEvents) + "/" + id + "/resend", "", keyed);
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.header("Idempotent-Replayed"), "true");
  ASSERT_TRUE(receiver.wait_for("/hook", 4));
  EXPECT_FALSE(receiver.wait_for("/hook", 5, std::chrono::milliseconds(500)));
  EXPECT_EQ(receiver.count("/hook"), 4u);
}

TEST(Events, ResendWithNoSubscriberIsRefused) {
  auto server = TestServer::start();
  auto c = server->client();
  settled_payment(c);
  const auto id = str(list_events(c)[0].at("id"));
  const auto res = c.post(std::string(kEvents) + "/" + id + "/resend", "", demo_auth());
  EXPECT_EQ(res.status, 400) << res.body;
  EXPECT_EQ(res.error_code(), "BAD_REQUEST_ERROR");
}

TEST(EventStream, SendsEachEventAsItCommits) {
  auto server = TestServer::start();
  SseClient stream(server->port(), "/api/v1/events/stream", demo_auth());
  ASSERT_EQ(stream.status(), 200) << stream.error_body();
  EXPECT_EQ(stream.header("Content-Type"), "text/event-stream");
  EXPECT_EQ(stream.next_comment(), "connected");

  // The starting point comes as an id with no event: it dispatches nothing.
  EXPECT_FALSE(stream.next(200ms));
  EXPECT_EQ(stream.last_id(), "0");

  auto c = server->client();
  const std::string id = settled_payment(c);
  const auto m = stream.next();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->event, "payment.success");
  EXPECT_EQ(m->id, "1");
  // A stream opened now starts after it.
  SseClient later(server->port(), "/api/v1/events/stream", demo_auth());
  ASSERT_EQ(later.next_comment(), "connected");
  EXPECT_FALSE(later.next(200ms));
  EXPECT_EQ(later.last_id(), "1");
  const auto event = json::parse(m->data);
  EXPECT_EQ(event_object_id(event), id);
  EXPECT_EQ(event, list_events(c)[0]);  // the stored event, byte for byte in meaning
}

TEST(EventStream, ResumesFromLastEventIdWithNoGapAndNoDuplicate) {
  auto server = TestServer::start();
  auto c = server->client();
  std::string first_id;
  {
    SseClient stream(server->port(), "/api/v1/events/stream", demo_auth());
    ASSERT_EQ(stream.status(), 200);
    settled_payment(c);
    const auto m = stream.next();
    ASSERT_TRUE(m);
    first_id = m->id;
  }
  // Made while no stream is open.
  const std::string missed_a = settled_payment(c);
  const std::string missed_b = settled_payment(c, "failure@upi");

  SseClient resumed(server->port(), "/api/v1/events/stream",
                    {demo_auth()[0], demo_auth()[1], {"Last-Event-ID", first_id}});
  ASSERT_EQ(resumed.status(), 200) << resumed.error_body();
  const auto a = resumed.next();
  const auto b = resumed.next();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(event_object_id(json::parse(a->data)), missed_a);
  EXPECT_EQ(event_object_id(json::parse(b->data)), missed_b);
  EXPECT_EQ(std::stoll(a->id), std::stoll(first_id) + 1);
  EXPECT_EQ(std::stoll(b->id), std::stoll(first_id) + 2);
  // Then live ones, and nothing twice.
  const std::string live = settled_payment(c);
  const auto l = resumed.next();
  ASSERT_TRUE(l);
  EXPECT_EQ(event_object_id(json::parse(l->data)), live);
  EXPECT_FALSE(resumed.next(300ms));

  // The query form, for clients that cannot set the header, with a type filter.
  SseClient failed_only(server->port(),
                        "/api/v1/events/stream?types=payment.failed&last_event_id=" + first_id,
                        demo_auth());
  const auto f = failed_only.next();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->event, "payment.failed");
  EXPECT_EQ(event_object_id(json::parse(f->data)), missed_b);
  EXPECT_FALSE(failed_only.next(300ms));

  SseClient bad(server->port(), "/api/v1/events/stream?last_event_id=abc", demo_auth());
  EXPECT_EQ(bad.status(), 400);
  SseClient anonymous(server->port(), "/api/v1/events/stream");
  EXPECT_EQ(anonymous.status(), 401);
}

TEST(EventStream, HeartbeatsKeepAnIdleStreamOpen) {
  auto server = TestServer::start({.args = {}, .env = {{"PAYGATE_STREAM_HEARTBEAT_MS", "200"}}});
  SseClient stream(server->port(), "/api/v1/events/stream", demo_auth());
  ASSERT_EQ(stream.status(), 200);
  EXPECT_EQ(stream.next_comment(), "connected");
  EXPECT_EQ(stream.next_comment(2s), "heartbeat");
  EXPECT_EQ(stream.next_comment(2s), "heartbeat");
}

TEST(EventStream, LimitsStreamsPerMerchant) {
  auto server = TestServer::start({.args = {}, .env = {{"PAYGATE_MAX_STREAMS_PER_MERCHANT", "1"}}});
  auto first = std::make_unique<SseClient>(server->port(), "/api/v1/events/stream", demo_auth());
  ASSERT_EQ(first->status(), 200);
  {
    SseClient second(server->port(), "/api/v1/requests/stream", demo_auth());
    EXPECT_EQ(second.status(), 429);
    EXPECT_NE(second.error_body().find("RATE_LIMITED"), std::string::npos) << second.error_body();
  }
  // Another merchant has its own allowance.
  const auto other = create_merchant(*server, "other");
  SseClient others(server->port(), "/api/v1/events/stream", other.headers());
  EXPECT_EQ(others.status(), 200);
  // A closed stream gives its place back at once, not at its next heartbeat
  // (15 s): a dashboard moving between pages must not run out of streams.
  first.reset();
  EXPECT_TRUE(eventually(
      [&] {
        SseClient again(server->port(), "/api/v1/events/stream", demo_auth());
        return again.status() == 200;
      },
      2s));
}

TEST(EventStream, ApiOnlyProcessHearsAWorkersEvents) {
  // PostgreSQL: the worker's commit is heard through LISTEN/NOTIFY (the poll
  // is a minute, longer than the test waits). SQLite: through the poll.
  auto server =
      TestServer::start({.args = {"--no-workers"},
                         .env = {{"PAYGATE_STREAM_POLL_MS", on_postgres() ? "60000" : "200"}}});
  auto worker = server->start_worker();
  SseClient stream(server->port(), "/api/v1/events/stream", demo_auth());
  ASSERT_EQ(stream.status(), 200);
  ASSERT_EQ(stream.next_comment(), "connected");
  auto c = server->client();
  const std::string id = start_payment(c, upi(), true);
  const auto m = stream.next(5s);
  ASSERT_TRUE(m) << server->log();
  EXPECT_EQ(event_object_id(json::parse(m->data)), id);
}

TEST(EventStream, AStopEndsOpenStreamsAtOnce) {
  auto server = TestServer::start();
  SseClient events(server->port(), "/api/v1/events/stream", demo_auth());
  SseClient requests(server->port(), "/api/v1/requests/stream", demo_auth());
  ASSERT_EQ(events.status(), 200);
  ASSERT_EQ(requests.status(), 200);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(server->stop(SIGTERM, 5s), 0) << server->log();
  // Not held for the heartbeat (15 s) nor the shutdown grace (10 s).
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  EXPECT_TRUE(events.ended(1s));
  EXPECT_TRUE(requests.ended(1s));
}

TEST(RequestStream, ShowsTheMerchantsRequestsAsTheyFinish) {
  auto server = TestServer::start();
  const auto other = create_merchant(*server, "other");
  SseClient stream(server->port(), "/api/v1/requests/stream", demo_auth());
  ASSERT_EQ(stream.status(), 200) << stream.error_body();
  ASSERT_EQ(stream.next_comment(), "connected");

  auto c = server->client();
  (void)c.get("/api/v1/orders?count=1", other.headers());  // not this merchant's
  auto headers = demo_auth();
  headers.emplace_back("Idempotency-Key", "tail-key-1");
  headers.emplace_back("X-Request-Id", "req-tail-test-1");
  const auto made =
      c.post("/api/v1/orders",
             R"({"amount": 50000, "currency": "INR", "receipt": "secret-receipt"})", headers);
  ASSERT_EQ(made.status, 201) << made.body;
  (void)c.get("/api/v1/orders/order_missing", demo_auth());

  const auto first = stream.next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->event, "request");
  const auto r = json::parse(first->data).as_object();
  EXPECT_EQ(str(r.at("method")), "POST");
  EXPECT_EQ(str(r.at("path")), "/api/v1/orders");
  EXPECT_EQ(r.at("status").as_int64(), 201);
  EXPECT_EQ(str(r.at("request_id")), "req-tail-test-1");
  EXPECT_EQ(str(r.at("idempotency_key")), "tail-key-1");
  EXPECT_GE(r.at("duration_ms").to_number<double>(), 0.0);
  EXPECT_EQ(first->data.find("secret-receipt"), std::string::npos);
  EXPECT_EQ(first->data.find(std::string(kDemoSecret)), std::string::npos);

  const auto second = stream.next();
  ASSERT_TRUE(second);
  const auto r2 = json::parse(second->data).as_object();
  EXPECT_EQ(str(r2.at("path")), "/api/v1/orders/order_missing");
  EXPECT_EQ(r2.at("status").as_int64(), 404);
  EXPECT_TRUE(r2.at("idempotency_key").is_null());
  EXPECT_FALSE(stream.next(300ms));  // nothing of the other merchant's
}

TEST(Events, PurgedAfterTheirRetentionWithTheirDeliveries) {
  auto server = TestServer::start({.args = {},
                                   .env = {{"PAYGATE_EVENT_PURGE_INTERVAL_MS", "200"},
                                           {"PAYGATE_EVENT_RETENTION_DAYS", "30"}}});
  Receiver receiver;
  auto c = server->client();
  add_webhook(c, receiver.url("/hook"));
  const std::string old_payment = settled_payment(c);
  ASSERT_TRUE(receiver.wait_for("/hook", 1));
  ASSERT_TRUE(eventually([&] {
    const auto logs = c.get("/api/v1/webhook-logs", demo_auth());
    return logs.status == 200 && !logs.json().as_array().empty() &&
           str(logs.json().as_array()[0].at("status")) == "success";
  }));
  // 31 days old, as far as the purge can tell.
  constexpr std::int64_t k31Days = 31LL * 86'400 * 1'000'000;
  run_sql(*server, "UPDATE events SET created_at = created_at - " + std::to_string(k31Days));
  const std::string new_payment = settled_payment(c);

  EXPECT_TRUE(eventually([&] { return list_events(c).size() == 1; }));
  const auto left = list_events(c);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(event_object_id(left[0]), new_payment);
  ASSERT_TRUE(receiver.wait_for("/hook", 2));
  EXPECT_TRUE(eventually([&] {
    const auto logs = c.get("/api/v1/webhook-logs", demo_auth());
    return logs.status == 200 && logs.json().as_array().size() == 1;
  }));
}

}  // namespace
}  // namespace paygate::test
