// The janitor of every state that is not final (issue #19, part 4): a
// payment left CREATED and a refund left PENDING by a worker killed at the
// right moment are settled. Here the "kill" is done by hand on an API that
// runs no workers: the jobs are deleted (or marked dead) in the database, as
// if the worker that held them died after losing them. Then workers start
// (two on PostgreSQL, each running the janitor) and settle everything once.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <boost/json.hpp>
#include <csignal>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "flows.h"
#include "harness.h"
#include "receiver.h"

namespace paygate::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::string_view kRefunds = "/api/v1/refunds";
constexpr std::string_view kWebhooks = "/api/v1/webhooks";
// Ten minutes, in the microseconds the database keeps times in.
constexpr std::int64_t kTenMinutes = 600'000'000;

// The first column of the first row of sql's answer, as text ("" for none),
// on the server's database.
std::string query_value(const TestServer& server, const std::string& sql) {
  if (on_postgres()) {
    const auto rows = pg_query(server.database_url(), sql);
    return rows.empty() || rows[0].empty() ? "" : rows[0][0];
  }
  sqlite3* db = nullptr;
  std::string value;
  char* error = nullptr;
  const auto first = [](void* out, int n, char** values, char**) {
    auto* v = static_cast<std::string*>(out);
    if (v->empty() && n > 0 && values[0] != nullptr) *v = values[0];
    return 0;
  };
  bool done = false;
  if (sqlite3_open_v2(server.db_path().c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    done = sqlite3_exec(db, sql.c_str(), first, &value, &error) == SQLITE_OK;
  }
  if (!done) ADD_FAILURE() << sql << ": " << (error != nullptr ? error : sqlite3_errmsg(db));
  sqlite3_free(error);
  sqlite3_close(db);
  return value;
}

void execute_sql(const TestServer& server, const std::string& sql) {
  query_value(server, sql);
}

std::string sql_text(std::string_view id) {
  return "'" + std::string(id) + "'";
}

std::int64_t int_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_int64()) {
    ADD_FAILURE() << key << " is not an integer in " << json::serialize(o);
    return -1;
  }
  return v->get_int64();
}

json::object get_refund(HttpClient& c, std::string_view id) {
  const auto res = c.get(std::string(kRefunds) + "/" + std::string(id), demo_auth());
  EXPECT_EQ(res.status, 200) << res.body;
  return object_of(res);
}

HttpResponse post_refund(HttpClient& c, std::string_view payment_id) {
  const json::object body{{"payment_id", payment_id}};
  return c.post(kRefunds, json::serialize(body), demo_auth());
}

// The events a receiver got, parsed, in order of arrival.
std::vector<json::object> events_received(const Receiver& receiver, std::string_view path) {
  std::vector<json::object> out;
  for (const auto& r : receiver.requests(path)) {
    boost::system::error_code ec;
    const auto v = json::parse(r.body, ec);
    if (!ec && v.is_object()) out.push_back(v.as_object());
  }
  return out;
}

// The events of this type about the object with this id.
std::vector<json::object> events_about(const std::vector<json::object>& events,
                                       std::string_view type, std::string_view object_name,
                                       std::string_view id) {
  std::vector<json::object> out;
  for (const auto& e : events) {
    if (str(e.at("event")) != type) continue;
    const auto& o = e.at("data").as_object().at(object_name).as_object();
    if (str(o.at("id")) == id) out.push_back(e);
  }
  return out;
}

TEST(Janitor, SettlesAPaymentLeftCreatedAndARefundLeftPending) {
  Receiver receiver;
  auto server = TestServer::start(ServerOptions{true, {"--no-workers"}, {}});
  auto c = server->client();
  const json::object hook{{"url", receiver.url("/hooks")}};
  ASSERT_EQ(c.post(kWebhooks, json::serialize(hook), demo_auth()).status, 201);
  const std::map<std::string, std::string> env{
      {"PAYGATE_JOB_POLL_MS", "50"},
      {"PAYGATE_RECONCILE_INTERVAL_MS", "200"},
      {"PAYGATE_PROCESSING_TIMEOUT_MS", "60000"},
      {"PAYGATE_REFUND_TIMEOUT_MS", "60000"},
      {"PAYGATE_WEBHOOK_ALLOW_PRIVATE", "1"},
  };

  // A captured payment to refund, made while a worker ran.
  std::string paid;
  {
    auto worker = server->start_worker(env);
    paid = captured_payment(c);
    ASSERT_FALSE(paid.empty());
    ASSERT_EQ(worker->stop(SIGTERM), 0) << worker->log();
  }

  // With no worker: a refund of all of it, and two payments, all three
  // left without a live job (the refund's and one payment's job gone, the
  // other payment's dead), as a worker killed at the right moment leaves them.
  const auto refund_res = post_refund(c, paid);
  ASSERT_EQ(refund_res.status, 201) << refund_res.body;
  const std::string refund = str(object_of(refund_res).at("id"));
  const std::string fresh = start_payment(c, upi(), true);
  const std::string stale = start_payment(c, upi(), true);
  ASSERT_FALSE(fresh.empty());
  ASSERT_FALSE(stale.empty());
  execute_sql(*server, "DELETE FROM jobs WHERE subject_id IN (" + sql_text(refund) + ", " +
                           sql_text(fresh) + ")");
  execute_sql(*server, "UPDATE jobs SET state = 'dead' WHERE subject_id = " + sql_text(stale));
  // Past their timeouts: created ten minutes ago.
  execute_sql(*server, "UPDATE refunds SET created_at = created_at - " +
                           std::to_string(kTenMinutes) + " WHERE id = " + sql_text(refund));
  execute_sql(*server, "UPDATE payments SET created_at = created_at - " +
                           std::to_string(kTenMinutes) + " WHERE id = " + sql_text(stale));
  EXPECT_EQ(str(get_payment(c, fresh).at("status")), "CREATED");
  EXPECT_EQ(str(get_refund(c, refund).at("status")), "PENDING");
  // The PENDING refund holds the whole amount.
  EXPECT_EQ(post_refund(c, paid).status, 400);

  // The janitor: two of them at once on PostgreSQL, where workers share the database.
  std::vector<std::unique_ptr<BackgroundProcess>> workers;
  workers.push_back(server->start_worker(env));
  if (on_postgres()) workers.push_back(server->start_worker(env));

  // The fresh payment gets its job back and is processed.
  const auto fresh_p = wait_settled(c, fresh, demo_auth(), 15s);
  EXPECT_EQ(str(fresh_p.at("status")), "SUCCESS") << json::serialize(fresh_p);
  // The payment CREATED past the processing timeout with a dead job fails.
  const auto stale_p = wait_settled(c, stale, demo_auth(), 15s);
  EXPECT_EQ(str(stale_p.at("status")), "FAILED") << json::serialize(stale_p);
  EXPECT_EQ(str(stale_p.at("error_code")), "PROCESSING_TIMEOUT") << json::serialize(stale_p);
  // The refund PENDING past the refund timeout fails, releasing its amount.
  json::object r;
  EXPECT_TRUE(eventually(
      [&] {
        r = get_refund(c, refund);
        return str(r.at("status")) != "PENDING";
      },
      15s))
      << json::serialize(r);
  EXPECT_EQ(str(r.at("status")), "FAILED") << json::serialize(r);
  EXPECT_EQ(str(r.at("error_code")), "REFUND_TIMEOUT") << json::serialize(r);
  EXPECT_TRUE(r.at("error_description").is_string()) << json::serialize(r);
  const auto after = get_payment(c, paid);
  EXPECT_EQ(int_of(after, "amount_refunded"), 0) << json::serialize(after);
  const auto again = post_refund(c, paid);
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(int_of(object_of(again), "amount"), kOrderAmount);

  // refund.failed reached the receiver, once however many janitors ran.
  std::vector<json::object> failed;
  EXPECT_TRUE(eventually(
      [&] {
        failed =
            events_about(events_received(receiver, "/hooks"), "refund.failed", "refund", refund);
        return !failed.empty();
      },
      15s));
  ASSERT_EQ(failed.size(), 1u);
  const auto& failed_refund = failed[0].at("data").as_object().at("refund").as_object();
  EXPECT_EQ(str(failed_refund.at("error_code")), "REFUND_TIMEOUT");
  EXPECT_EQ(int_of(failed_refund, "version"), int_of(r, "version"));

  // Each settled once: one job given back, one success, one failure.
  EXPECT_EQ(query_value(*server, "SELECT count(*) FROM jobs WHERE subject_id = " + sql_text(fresh)),
            "1");
  // Deliveries are asynchronous: wait for both events, then count them.
  std::vector<json::object> events;
  EXPECT_TRUE(eventually(
      [&] {
        events = events_received(receiver, "/hooks");
        return !events_about(events, "payment.success", "payment", fresh).empty() &&
               !events_about(events, "payment.failed", "payment", stale).empty();
      },
      15s));
  EXPECT_EQ(events_about(events, "payment.success", "payment", fresh).size(), 1u);
  EXPECT_EQ(events_about(events, "payment.failed", "payment", stale).size(), 1u);
  for (auto& w : workers) EXPECT_EQ(w->stop(SIGTERM), 0) << w->log();
}

}  // namespace
}  // namespace paygate::test
