// Idempotency-Key, end to end, on every POST endpoint: replay byte for byte,
// a different request under a used key (422), canonical JSON, concurrent
// retries (one object, the rest 409), merchant scoping (public calls too),
// expiry, replayed validation errors, key validation, 5xx answers that are
// not kept (and leave no work behind), the purge job, and crashes (exactly
// one object survives). One table of endpoint setups drives the same checks
// for each endpoint.
#include "core/idempotency.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <future>
#include <latch>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"

namespace paygate::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::string_view kOrders = "/api/v1/orders";
constexpr std::string_view kPublicOrders = "/api/v1/orders/public";
constexpr std::string_view kPayments = "/api/v1/payments";
constexpr std::string_view kPublicPayments = "/api/v1/payments/public";
constexpr std::string_view kRefunds = "/api/v1/refunds";
constexpr std::string_view kWebhooks = "/api/v1/webhooks";
constexpr std::string_view kWebhookLogs = "/api/v1/webhook-logs";
// Nothing listens there: deliveries fail and wait for their retry.
constexpr std::string_view kHookUrl = "http://127.0.0.1:9/hooks/idempotency";
constexpr std::string_view kReplayed = "Idempotent-Replayed";
constexpr std::string_view kDemoMerchantId = "mrc_testmerchant0001";

// ---------------------------------------------------------------- helpers

// A top-level string field of the body, "" when absent.
std::string field_of(const HttpResponse& res, std::string_view name) {
  const auto o = object_of(res);
  const auto* v = o.if_contains(name);
  return v != nullptr ? str(*v) : "";
}

std::string id_of(const HttpResponse& res) {
  return field_of(res, "id");
}

// body.error.<name>, "" when absent.
std::string error_part(const HttpResponse& res, std::string_view name) {
  const auto o = object_of(res);
  const auto* e = o.if_contains("error");
  if (e == nullptr || !e->is_object()) return {};
  const auto* v = e->as_object().if_contains(name);
  return v != nullptr ? str(*v) : "";
}

// The body with its object keys in reverse order and other white space: the
// same request as canonical JSON, other bytes.
void write_respaced(std::string& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::object: {
      const auto& o = v.get_object();
      out += "{\n";
      bool first = true;
      for (auto it = o.rbegin(); it != o.rend(); ++it) {
        if (!first) out += " ,\n";
        first = false;
        out += "\t  " + json::serialize(json::string(it->key())) + " :  ";
        write_respaced(out, it->value());
      }
      out += "\n}";
      return;
    }
    case json::kind::array: {
      out += "[ ";
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += " ,  ";
        first = false;
        write_respaced(out, e);
      }
      out += " ]";
      return;
    }
    default:
      out += json::serialize(v);
  }
}

std::string respaced(std::string_view body) {
  std::string out = "  ";
  write_respaced(out, json::parse(body));
  return out + "\r\n";
}

struct Merchant {
  std::string id, key, secret;
  bool demo = false;

  Headers secret_auth() const { return auth(key, secret); }
  // What a checkout page sends: nothing for the default (demo) merchant, the
  // publishable key for any other.
  Headers publishable() const { return demo ? Headers{} : Headers{{"X-Api-Key", key}}; }
};

Merchant demo_merchant() {
  return {std::string(kDemoMerchantId), std::string(kDemoKey), std::string(kDemoSecret), true};
}

// Merchant B, created with the CLI.
Merchant create_merchant_b(const TestServer& server) {
  const auto r = server.run_cli({"merchant", "create", "--name", "B", "--email", "b@example.com"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  boost::system::error_code ec;
  const auto v = json::parse(r.out, ec);
  if (ec || !v.is_object()) {
    ADD_FAILURE() << "merchant create printed: " << r.out;
    return {};
  }
  const auto& o = v.as_object();
  return {str(o.at("id")), str(o.at("api_key")), str(o.at("api_secret")), false};
}

// One POST: path, body and the credentials it needs.
struct Call {
  std::string path;
  std::string body;
  Headers headers;
};

HttpResponse send(HttpClient& c, const Call& call, std::optional<std::string_view> key) {
  Headers headers = call.headers;
  if (key) headers.emplace_back("Idempotency-Key", std::string(*key));
  return c.post(call.path, call.body, headers);
}

// The same call written byte by byte (for a connection the server dies under).
std::string raw_request(const Call& call, std::string_view key) {
  std::string r = "POST " + call.path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  r += "Content-Type: application/json\r\n";
  for (const auto& [k, v] : call.headers) r += k + ": " + v + "\r\n";
  r += "Idempotency-Key: " + std::string(key) + "\r\n";
  r += "Content-Length: " + std::to_string(call.body.size()) + "\r\n\r\n";
  return r + call.body;
}

std::string payment_path(std::string_view id) {
  return std::string(kPayments) + "/" + std::string(id);
}

std::string capture_path(std::string_view id) {
  return payment_path(id) + "/capture";
}

std::string new_order(HttpClient& c, const Merchant& m) {
  const auto r = c.post(kOrders, R"({"amount": 50000, "currency": "INR"})", m.secret_auth());
  EXPECT_EQ(r.status, 201) << r.body;
  return id_of(r);
}

// A UPI payment of m's on a new order, once processing gave it status want.
std::string settled_payment(HttpClient& c, const Merchant& m, std::string_view vpa,
                            std::string_view want) {
  const json::object body{{"order_id", new_order(c, m)}, {"method", "upi"}, {"vpa", vpa}};
  const auto r = c.post(kPayments, json::serialize(body), m.secret_auth());
  EXPECT_EQ(r.status, 201) << r.body;
  const std::string id = id_of(r);
  const bool settled = eventually(
      [&] { return field_of(c.get(payment_path(id), m.secret_auth()), "status") == want; });
  EXPECT_TRUE(settled) << id << " never became " << want;
  return id;
}

std::string captured_payment(HttpClient& c, const Merchant& m) {
  const std::string id = settled_payment(c, m, "success@upi", "SUCCESS");
  const auto r = c.post(capture_path(id), "", m.secret_auth());
  EXPECT_EQ(r.status, 200) << r.body;
  return id;
}

std::string order_body(std::int64_t amount) {
  return json::serialize(json::object{{"amount", amount},
                                      {"currency", "INR"},
                                      {"receipt", "rcpt_idem_1"},
                                      {"notes", {{"customer", "Jane Doe"}, {"ref", "x1"}}}});
}

// failure@upi: the order stays payable, so that a later new request under an
// expired key can pay it again.
std::string upi_body(std::string_view order_id, std::string_view vpa) {
  return json::serialize(json::object{{"order_id", order_id},
                                      {"method", "upi"},
                                      {"vpa", vpa},
                                      {"amount", 50000},
                                      {"currency", "INR"}});
}

std::string refund_body(std::string_view payment_id, std::int64_t amount) {
  return json::serialize(
      json::object{{"payment_id", payment_id}, {"amount", amount}, {"reason", "customer request"}});
}

std::string webhook_body(std::string_view url) {
  return json::serialize(
      json::object{{"url", url}, {"events", json::array{"payment.success", "refund.processed"}}});
}

std::string new_webhook(HttpClient& c, const Merchant& m) {
  const auto r = c.post(kWebhooks, webhook_body(kHookUrl), m.secret_auth());
  EXPECT_EQ(r.status, 201) << r.body;
  return id_of(r);
}

std::string webhook_path(std::string_view id) {
  return std::string(kWebhooks) + "/" + std::string(id);
}

// The entry in the delivery log of a test event sent to a new webhook.
std::string new_delivery(HttpClient& c, const Merchant& m) {
  const auto r = c.post(webhook_path(new_webhook(c, m)) + "/test", "", m.secret_auth());
  EXPECT_EQ(r.status, 200) << r.body;
  return field_of(r, "log_id");
}

// The items of a list answer: {"count", "items"} or a bare array.
json::array items_at(HttpClient& c, const std::string& target, const Merchant& m) {
  const auto r = c.get(target, m.secret_auth());
  EXPECT_EQ(r.status, 200) << target << ": " << r.body;
  const auto v = r.json();
  if (v.is_array()) return v.get_array();
  if (v.is_object()) {
    if (const auto* items = v.get_object().if_contains("items"); items && items->is_array()) {
      return items->get_array();
    }
  }
  ADD_FAILURE() << target << " is not a list: " << r.body;
  return {};
}

std::int64_t size_of(const json::array& a) {
  return static_cast<std::int64_t>(a.size());
}

std::int64_t count_orders(HttpClient& c, const Merchant& m) {
  return size_of(items_at(c, std::string(kOrders) + "?count=100", m));
}
std::int64_t count_payments(HttpClient& c, const Merchant& m) {
  return size_of(items_at(c, std::string(kPayments) + "?count=100", m));
}
std::int64_t count_captured(HttpClient& c, const Merchant& m) {
  const auto items = items_at(c, std::string(kPayments) + "?count=100", m);
  return std::count_if(items.begin(), items.end(), [](const json::value& p) {
    const auto* captured = p.is_object() ? p.get_object().if_contains("captured") : nullptr;
    return captured != nullptr && captured->is_bool() && captured->get_bool();
  });
}
std::int64_t count_refunds(HttpClient& c, const Merchant& m) {
  return size_of(items_at(c, std::string(kRefunds) + "?count=100", m));
}
std::int64_t count_webhooks(HttpClient& c, const Merchant& m) {
  return size_of(items_at(c, std::string(kWebhooks), m));
}
std::int64_t count_deliveries(HttpClient& c, const Merchant& m) {
  return size_of(items_at(c, std::string(kWebhookLogs) + "?count=100", m));
}

// A rotation answered (or replayed) with the webhook's secret of now: no
// other rotation happened after it.
void expect_current_secret(HttpClient& c, const Merchant& m, const HttpResponse& answer) {
  const auto now = c.get(webhook_path(id_of(answer)), m.secret_auth());
  EXPECT_EQ(now.status, 200) << now.body;
  EXPECT_EQ(field_of(now, "secret"), field_of(answer, "secret")) << "rotated more than once";
}

// ---------------------------------------------------------------- the endpoint table

// What an endpoint's checks send, prepared for one merchant.
struct Prepared {
  Call ok;                 // succeeds
  std::string other_body;  // a different request to ok's path
  Call refused;            // fails validation with refused_status
  int refused_status = 400;
};

// What a request that runs (not a replay) does to what count() counts.
enum class Effect {
  creates,       // one more object each time
  changes_once,  // the first one changes an object, later ones find it changed
  none,          // nothing count() sees
};

struct Endpoint {
  std::string name;
  int success_status = 201;
  Effect effect = Effect::creates;
  std::string id_field;  // the answer's field that names the object
  Prepared (*prepare)(HttpClient&, const Merchant&) = nullptr;
  // The merchant's objects that the endpoint creates or changes.
  std::int64_t (*count)(HttpClient&, const Merchant&) = nullptr;
  // More checks of a success (first answer or replay), where there are any.
  void (*verify)(HttpClient&, const Merchant&, const HttpResponse&) = nullptr;
};

void PrintTo(const Endpoint& e, std::ostream* os) {
  *os << e.name;
}

Prepared prepare_order(HttpClient&, const Merchant& m) {
  return {{std::string(kOrders), order_body(50000), m.secret_auth()},
          order_body(50001),
          {std::string(kOrders), R"({"amount": 5})", m.secret_auth()},
          400};
}

Prepared prepare_public_order(HttpClient&, const Merchant& m) {
  return {{std::string(kPublicOrders), order_body(50000), m.publishable()},
          order_body(50001),
          {std::string(kPublicOrders), R"({"amount": 5})", m.publishable()},
          400};
}

Prepared prepare_payment(HttpClient& c, const Merchant& m) {
  const std::string order = new_order(c, m);
  return {{std::string(kPayments), upi_body(order, "failure@upi"), m.secret_auth()},
          upi_body(order, "someone@upi"),
          {std::string(kPayments), upi_body(order, "not a vpa"), m.secret_auth()},
          400};
}

Prepared prepare_public_payment(HttpClient& c, const Merchant& m) {
  const std::string order = new_order(c, m);
  return {{std::string(kPublicPayments), upi_body(order, "failure@upi"), m.publishable()},
          upi_body(order, "someone@upi"),
          {std::string(kPublicPayments), upi_body(order, "not a vpa"), m.publishable()},
          400};
}

Prepared prepare_capture(HttpClient& c, const Merchant& m) {
  const std::string good = settled_payment(c, m, "success@upi", "SUCCESS");
  const std::string failed = settled_payment(c, m, "failure@upi", "FAILED");
  const std::string body = R"({"amount": 50000, "currency": "INR"})";
  return {{capture_path(good), body, m.secret_auth()},
          R"({"amount": 100, "currency": "INR"})",
          {capture_path(failed), body, m.secret_auth()},
          400};
}

Prepared prepare_refund(HttpClient& c, const Merchant& m) {
  const std::string payment = captured_payment(c, m);
  return {{std::string(kRefunds), refund_body(payment, 100), m.secret_auth()},
          refund_body(payment, 200),
          {std::string(kRefunds), refund_body(payment, 10'000'000), m.secret_auth()},
          400};
}

Prepared prepare_webhook(HttpClient&, const Merchant& m) {
  return {{std::string(kWebhooks), webhook_body(kHookUrl), m.secret_auth()},
          webhook_body("http://127.0.0.1:9/hooks/other"),
          {std::string(kWebhooks), webhook_body("not a url"), m.secret_auth()},
          400};
}

Prepared prepare_rotate_secret(HttpClient& c, const Merchant& m) {
  const std::string id = new_webhook(c, m);
  return {{webhook_path(id) + "/rotate-secret", "", m.secret_auth()},
          R"({"reason": "leaked"})",
          {webhook_path("00000000-0000-4000-8000-000000000000") + "/rotate-secret", "",
           m.secret_auth()},
          404};
}

Prepared prepare_webhook_test(HttpClient& c, const Merchant& m) {
  const std::string id = new_webhook(c, m);
  return {{webhook_path(id) + "/test", "{}", m.secret_auth()},
          R"({"note": "another"})",
          {webhook_path("00000000-0000-4000-8000-000000000000") + "/test", "{}", m.secret_auth()},
          404};
}

Prepared prepare_delivery_retry(HttpClient& c, const Merchant& m) {
  const std::string log = new_delivery(c, m);
  const std::string path = std::string(kWebhookLogs) + "/" + log + "/retry";
  return {{path, "", m.secret_auth()},
          R"({"note": "another"})",
          {std::string(kWebhookLogs) + "/00000000-0000-4000-8000-000000000000/retry", "",
           m.secret_auth()},
          404};
}

const Endpoint kEndpoints[] = {
    {"Orders", 201, Effect::creates, "id", prepare_order, count_orders, nullptr},
    {"PublicOrders", 201, Effect::creates, "id", prepare_public_order, count_orders, nullptr},
    {"Payments", 201, Effect::creates, "id", prepare_payment, count_payments, nullptr},
    {"PublicPayments", 201, Effect::creates, "id", prepare_public_payment, count_payments, nullptr},
    {"Capture", 200, Effect::changes_once, "id", prepare_capture, count_captured, nullptr},
    {"Refunds", 201, Effect::creates, "id", prepare_refund, count_refunds, nullptr},
    {"Webhooks", 201, Effect::creates, "id", prepare_webhook, count_webhooks, nullptr},
    {"WebhookRotateSecret", 200, Effect::none, "id", prepare_rotate_secret, count_webhooks,
     expect_current_secret},
    {"WebhookTest", 200, Effect::creates, "log_id", prepare_webhook_test, count_deliveries,
     nullptr},
    {"WebhookLogRetry", 200, Effect::none, "", prepare_delivery_retry, count_deliveries, nullptr},
};

// ---------------------------------------------------------------- expectations

void expect_first_answer(const HttpResponse& r, int status, std::string_view what) {
  EXPECT_EQ(r.status, status) << what << ": " << r.body;
  EXPECT_EQ(r.header(kReplayed), "") << what;
}

void expect_replay_of(const HttpResponse& r, const HttpResponse& first, std::string_view what) {
  EXPECT_EQ(r.status, first.status) << what << ": " << r.body;
  EXPECT_EQ(r.body, first.body) << what;
  EXPECT_EQ(r.header(kReplayed), "true") << what;
  EXPECT_EQ(r.header("Content-Type"), "application/json") << what;
}

void expect_idempotency_error(const HttpResponse& r, int status, std::string_view what) {
  EXPECT_EQ(r.status, status) << what << ": " << r.body;
  EXPECT_EQ(r.error_code(), "IDEMPOTENCY_ERROR") << what << ": " << r.body;
  EXPECT_EQ(error_part(r, "field"), "Idempotency-Key") << what << ": " << r.body;
  EXPECT_EQ(r.header(kReplayed), "") << what;
}

void expect_key_refused(const HttpResponse& r, std::string_view what) {
  EXPECT_EQ(r.status, 400) << what << ": " << r.body;
  EXPECT_EQ(r.error_code(), "BAD_REQUEST_ERROR") << what << ": " << r.body;
  EXPECT_EQ(error_part(r, "field"), "Idempotency-Key") << what << ": " << r.body;
}

// ---------------------------------------------------------------- sqlite

// db: the SQLite file, or the PostgreSQL URL on postgres.
std::int64_t idempotency_rows(const std::string& db_path) {
  if (on_postgres()) {
    const auto rows = pg_query(db_path, "SELECT count(*) FROM idempotency_keys");
    return rows.empty() ? -1 : std::stoll(rows[0][0]);
  }
  sqlite3* db = nullptr;
  std::int64_t rows = -1;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM idempotency_keys", -1, &st, nullptr) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      rows = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
  }
  if (rows < 0) ADD_FAILURE() << "cannot count idempotency keys: " << sqlite3_errmsg(db);
  sqlite3_close(db);
  return rows;
}

// Runs sql on the server's database beside the server (db as for idempotency_rows).
void execute_sql(const std::string& db_path, const std::string& sql) {
  if (on_postgres()) {
    pg_query(db_path, sql);
    return;
  }
  sqlite3* db = nullptr;
  char* error = nullptr;
  bool done = false;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    done = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) == SQLITE_OK;
  }
  if (!done) {
    ADD_FAILURE() << sql << ": " << (error != nullptr ? error : sqlite3_errmsg(db));
  }
  sqlite3_free(error);
  sqlite3_close(db);
}

// Makes recording an answer fail (a fault of ours inside the transaction of
// the work) until remove_fault().
void inject_fault(const std::string& db_path) {
  execute_sql(db_path,
              "CREATE TRIGGER idempotency_fault BEFORE UPDATE ON idempotency_keys "
              "WHEN NEW.state = 'done' BEGIN SELECT RAISE(ABORT, 'injected fault'); END");
}

void remove_fault(const std::string& db_path) {
  execute_sql(db_path, "DROP TRIGGER idempotency_fault");
}

// Whether the server holds the database's write lock (a write transaction runs).
bool write_locked(const std::string& db_path) {
  sqlite3* db = nullptr;
  bool locked = false;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    const int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    locked = rc == SQLITE_BUSY;
    if (rc == SQLITE_OK) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  sqlite3_close(db);
  return locked;
}

constexpr std::string_view kSlowQuery =
    "SELECT count(*) FROM slow_rows a, slow_rows b WHERE a.x + b.x >= 0";

std::string fill_slow_rows(std::int64_t n) {
  return "CREATE TABLE slow_rows (x INTEGER); WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
         "SELECT x + 1 FROM c WHERE x < " +
         std::to_string(n) + ") INSERT INTO slow_rows SELECT x FROM c;";
}

// How many rows make kSlowQuery take about target on this machine.
std::int64_t slow_rows_for(std::chrono::milliseconds target) {
  constexpr std::int64_t kProbe = 1500;
  sqlite3* db = nullptr;
  sqlite3_open(":memory:", &db);
  sqlite3_exec(db, fill_slow_rows(kProbe).c_str(), nullptr, nullptr, nullptr);
  const auto t0 = std::chrono::steady_clock::now();
  sqlite3_exec(db, std::string(kSlowQuery).c_str(), nullptr, nullptr, nullptr);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  sqlite3_close(db);
  const double per_pair = std::max(seconds, 1e-6) / static_cast<double>(kProbe * kProbe);
  const double n = std::sqrt(std::chrono::duration<double>(target).count() / per_pair);
  return std::clamp(static_cast<std::int64_t>(n), kProbe, std::int64_t{40'000});
}

// Makes every order with receipt "slow" take about took to insert, holding
// the server's writer (and the database's write lock) that long.
void make_slow_orders(const std::string& db_path, std::chrono::milliseconds took) {
  execute_sql(db_path, fill_slow_rows(slow_rows_for(took)) +
                           "CREATE TRIGGER slow_order BEFORE INSERT ON orders WHEN NEW.receipt "
                           "= 'slow' BEGIN " +
                           std::string(kSlowQuery) + "; END;");
}

// Leaves key running without an answer, locked for another locked_for: what a
// server that died between taking the key and committing its work leaves.
void insert_running_key(const std::string& db_path, std::string_view merchant_id,
                        std::string_view key, const Call& call,
                        std::chrono::milliseconds locked_for) {
  const auto master_key = parse_master_key(kMasterKey, "test");
  const std::string fingerprint =
      request_fingerprint(derive_data_keys(*master_key), "POST", call.path, call.body);
  const std::int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  const std::int64_t locked_until =
      now + std::chrono::duration_cast<std::chrono::microseconds>(locked_for).count();
  sqlite3* db = nullptr;
  sqlite3_stmt* st = nullptr;
  bool done = false;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO idempotency_keys (merchant_id, idem_key, fingerprint, "
                           "state, locked_until, created_at, expires_at) "
                           "VALUES (?, ?, ?, 'running', ?, ?, ?)",
                           -1, &st, nullptr) == SQLITE_OK) {
      sqlite3_bind_text(st, 1, merchant_id.data(), static_cast<int>(merchant_id.size()), nullptr);
      sqlite3_bind_text(st, 2, key.data(), static_cast<int>(key.size()), nullptr);
      sqlite3_bind_text(st, 3, fingerprint.data(), static_cast<int>(fingerprint.size()), nullptr);
      sqlite3_bind_int64(st, 4, locked_until);
      sqlite3_bind_int64(st, 5, now);
      sqlite3_bind_int64(st, 6, now + 3'600'000'000LL);
      done = sqlite3_step(st) == SQLITE_DONE;
    }
    sqlite3_finalize(st);
  }
  if (!done) ADD_FAILURE() << "cannot insert a running key: " << sqlite3_errmsg(db);
  sqlite3_close(db);
}

// ---------------------------------------------------------------- the checks, per endpoint

class IdempotencyEndpoints : public ::testing::TestWithParam<Endpoint> {
 protected:
  void start(std::map<std::string, std::string> env = {}) {
    ServerOptions options;
    options.env = std::move(env);
    server_ = TestServer::start(std::move(options));
    client_.emplace(server_->port());
  }
  void restart() {
    server_->restart();
    client_.emplace(server_->port());
  }

  const Endpoint& endpoint() const { return GetParam(); }
  int success() const { return endpoint().success_status; }
  Prepared prepare(const Merchant& m) { return endpoint().prepare(*client_, m); }
  HttpResponse send(const Call& call, std::optional<std::string_view> key) {
    return paygate::test::send(*client_, call, key);
  }
  std::string object_id(const HttpResponse& r) const {
    return endpoint().id_field.empty() ? "" : field_of(r, endpoint().id_field);
  }
  std::int64_t count(const Merchant& m) { return endpoint().count(*client_, m); }
  // How much count() grows with n requests that ran.
  std::int64_t grown(std::int64_t n) const {
    switch (endpoint().effect) {
      case Effect::creates:
        return n;
      case Effect::changes_once:
        return n > 0 ? 1 : 0;
      case Effect::none:
        return 0;
    }
    return 0;
  }
  // Two requests that ran made two objects.
  void expect_distinct_objects(const HttpResponse& a, const HttpResponse& b) const {
    if (endpoint().effect == Effect::creates) {
      EXPECT_NE(object_id(a), object_id(b)) << b.body;
    }
  }
  void verify(const Merchant& m, const HttpResponse& answer) {
    if (endpoint().verify != nullptr) endpoint().verify(*client_, m, answer);
  }

  std::unique_ptr<TestServer> server_;
  std::optional<HttpClient> client_;
  const Merchant demo_ = demo_merchant();
};

TEST_P(IdempotencyEndpoints, ReplaysTheFirstAnswerByteForByte) {
  start();
  const Prepared p = prepare(demo_);
  const auto before = count(demo_);

  const auto first = send(p.ok, "replay-key-1");
  expect_first_answer(first, success(), "first request");
  ASSERT_EQ(count(demo_), before + grown(1));

  for (int i = 0; i < 3; ++i) {
    expect_replay_of(send(p.ok, "replay-key-1"), first, "retry " + std::to_string(i));
  }
  // On a new connection too.
  auto other = server_->client();
  expect_replay_of(paygate::test::send(other, p.ok, "replay-key-1"), first, "new connection");
  EXPECT_EQ(count(demo_), before + grown(1)) << "a replay did the work again";
  verify(demo_, first);

  // Without a key nothing is replayed.
  const auto plain = send(p.ok, std::nullopt);
  expect_first_answer(plain, success(), "without a key");
  expect_distinct_objects(first, plain);
  EXPECT_EQ(count(demo_), before + grown(2));
}

TEST_P(IdempotencyEndpoints, DifferentBodyIs422AndTheSameCanonicalBodyReplays) {
  start();
  const Prepared p = prepare(demo_);
  const auto before = count(demo_);
  const auto first = send(p.ok, "body-key");
  expect_first_answer(first, success(), "first request");

  const Call different{p.ok.path, p.other_body, p.ok.headers};
  expect_idempotency_error(send(different, "body-key"), 422, "different body");
  expect_idempotency_error(send(different, "body-key"), 422, "different body again");

  if (!p.ok.body.empty()) {
    const Call reordered{p.ok.path, respaced(p.ok.body), p.ok.headers};
    ASSERT_NE(reordered.body, p.ok.body);
    expect_replay_of(send(reordered, "body-key"), first, "keys reordered, other white space");
  }
  expect_replay_of(send(p.ok, "body-key"), first, "the first body again");
  EXPECT_EQ(count(demo_), before + grown(1));
}

TEST_P(IdempotencyEndpoints, ConcurrentRetriesRunOnce) {
  start();
  const Prepared p = prepare(demo_);
  const auto before = count(demo_);

  constexpr int kThreads = 24;
  std::vector<HttpResponse> answers(kThreads);
  std::latch ready(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      HttpClient c(server_->port());
      (void)c.get("/health");  // connected before the start line
      ready.arrive_and_wait();
      answers[static_cast<std::size_t>(i)] = paygate::test::send(c, p.ok, "concurrent-key");
    });
  }
  for (auto& t : threads) t.join();

  std::vector<const HttpResponse*> successes;
  std::set<std::string> bodies;
  for (const auto& a : answers) {
    if (a.status == success()) {
      successes.push_back(&a);
      bodies.insert(a.body);
    } else {
      EXPECT_EQ(a.status, 409) << a.body;
      EXPECT_EQ(a.error_code(), "IDEMPOTENCY_ERROR") << a.body;
      EXPECT_EQ(a.header("Retry-After"), "1") << a.body;
    }
  }
  ASSERT_FALSE(successes.empty());
  EXPECT_EQ(bodies.size(), 1u) << "the successes differ";
  const auto first_runs = std::count_if(successes.begin(), successes.end(),
                                        [](const auto* a) { return a->header(kReplayed).empty(); });
  EXPECT_EQ(first_runs, 1) << "more than one answer was not a replay";
  EXPECT_EQ(count(demo_), before + grown(1));

  const auto again = send(p.ok, "concurrent-key");
  expect_replay_of(again, *successes.front(), "a retry afterwards");
  EXPECT_EQ(count(demo_), before + grown(1));
  verify(demo_, again);
}

TEST_P(IdempotencyEndpoints, AnotherMerchantsSameKeyIsIndependent) {
  start();
  const Merchant b = create_merchant_b(*server_);
  ASSERT_FALSE(b.key.empty());
  const Prepared pa = prepare(demo_);
  const Prepared pb = prepare(b);
  const auto demo_before = count(demo_);
  const auto b_before = count(b);

  const auto ra = send(pa.ok, "shared-key");
  expect_first_answer(ra, success(), "demo merchant");
  const auto rb = send(pb.ok, "shared-key");
  expect_first_answer(rb, success(), "merchant B, same key");
  if (endpoint().effect == Effect::creates) {
    EXPECT_NE(object_id(rb), object_id(ra));
    EXPECT_NE(rb.body, ra.body);
  }
  if (!field_of(ra, "merchant_id").empty()) {
    EXPECT_EQ(field_of(ra, "merchant_id"), demo_.id) << ra.body;
    EXPECT_EQ(field_of(rb, "merchant_id"), b.id) << rb.body;
  }
  EXPECT_EQ(count(b), b_before + grown(1));
  EXPECT_EQ(count(demo_), demo_before + grown(1));

  expect_replay_of(send(pa.ok, "shared-key"), ra, "demo merchant's retry");
  expect_replay_of(send(pb.ok, "shared-key"), rb, "merchant B's retry");
  EXPECT_EQ(count(b), b_before + grown(1));
  EXPECT_EQ(count(demo_), demo_before + grown(1));
  verify(b, rb);
}

TEST_P(IdempotencyEndpoints, ExpiredKeyIsANewRequest) {
  start({{"PAYGATE_IDEMPOTENCY_TTL_MS", "1000"}});
  const Prepared p = prepare(demo_);
  const auto before = count(demo_);
  const auto first = send(p.ok, "expiring-key");
  expect_first_answer(first, success(), "first request");
  expect_replay_of(send(p.ok, "expiring-key"), first, "retry within the retention");

  HttpResponse fresh;
  bool replays_identical = true;
  const bool renewed = eventually(
      [&] {
        fresh = send(p.ok, "expiring-key");
        if (fresh.header(kReplayed) == "true") {
          replays_identical = replays_identical && fresh.body == first.body;
          return false;
        }
        return true;
      },
      10s);
  ASSERT_TRUE(renewed) << "the key was still replayed 10 s after a 1 s retention";
  EXPECT_TRUE(replays_identical);
  expect_first_answer(fresh, success(), "after expiry");
  expect_distinct_objects(first, fresh);
  EXPECT_EQ(count(demo_), before + grown(2));
}

TEST_P(IdempotencyEndpoints, ValidationErrorIsReplayed) {
  start();
  const Prepared p = prepare(demo_);
  const auto before = count(demo_);

  const auto first = send(p.refused, "refused-key");
  expect_first_answer(first, p.refused_status, "invalid request");
  EXPECT_FALSE(first.error_code().empty()) << first.body;
  const std::string request_id = error_part(first, "request_id");
  EXPECT_FALSE(request_id.empty()) << first.body;

  const auto again = send(p.refused, "refused-key");
  expect_replay_of(again, first, "invalid request again");
  EXPECT_EQ(error_part(again, "request_id"), request_id);
  EXPECT_EQ(count(demo_), before) << "an invalid request did something";

  // The key is spent on the refused request: a valid one under it is another request.
  expect_idempotency_error(send(p.ok, "refused-key"), 422, "a valid request under the key");
  EXPECT_EQ(count(demo_), before);
}

TEST_P(IdempotencyEndpoints, KeyMustBe1To255PrintableCharacters) {
  start();
  const Prepared p = prepare(demo_);
  const auto before = count(demo_);

  expect_key_refused(send(p.ok, ""), "empty key");
  expect_key_refused(send(p.ok, std::string(256, 'k')), "256 characters");
  expect_key_refused(send(p.ok, "tab\there"), "a tab inside");
  expect_key_refused(send(p.ok, "caf\xc3\xa9"), "not ASCII");
  // The HTTP parser refuses a \x01 in any header before the key is looked at:
  // a 400 BAD_REQUEST_ERROR still, but one that names no field.
  const auto control = send(p.ok, "ctl\x01key");
  EXPECT_EQ(control.status, 400) << control.body;
  EXPECT_EQ(control.error_code(), "BAD_REQUEST_ERROR") << control.body;
  EXPECT_EQ(count(demo_), before) << "a request with an invalid key did something";

  // 255 printable characters, all of them in turn, are a key.
  std::string longest;
  for (int i = 0; i < 255; ++i) longest.push_back(static_cast<char>(0x20 + (0x21 + i) % 95));
  ASSERT_NE(longest.front(), ' ');
  ASSERT_NE(longest.back(), ' ');
  const auto first = send(p.ok, longest);
  expect_first_answer(first, success(), "255 characters");
  expect_replay_of(send(p.ok, longest), first, "255 characters, retry");
  EXPECT_EQ(count(demo_), before + grown(1));
}

TEST_P(IdempotencyEndpoints, ServerErrorIsNotKept) {
  PAYGATE_SQLITE_ONLY("renames the SQLite file to fail the database");
  start();
  const Prepared p = prepare(demo_);
  const auto before = count(demo_);

  const std::string moved = server_->db_path() + ".moved";
  std::filesystem::rename(server_->db_path(), moved);
  const auto down = send(p.ok, "outage-key");
  std::filesystem::rename(moved, server_->db_path());
  EXPECT_EQ(down.status, 503) << down.body;
  EXPECT_EQ(down.error_code(), "SERVICE_UNAVAILABLE") << down.body;

  const auto retry = send(p.ok, "outage-key");
  expect_first_answer(retry, success(), "retry after the outage");
  EXPECT_EQ(count(demo_), before + grown(1));
  expect_replay_of(send(p.ok, "outage-key"), retry, "retry of the retry");
}

// A fault of ours after the key was taken (here: recording the answer fails)
// rolls the work back with it and gives the key up: the retry runs afresh.
TEST_P(IdempotencyEndpoints, FaultAfterTakingTheKeyLeavesNothingBehind) {
  PAYGATE_SQLITE_ONLY("injects the fault with a SQLite trigger");
  start();
  const Prepared p = prepare(demo_);
  const auto before = count(demo_);

  inject_fault(server_->db_path());
  const auto failed = send(p.ok, "fault-key");
  const auto failed_again = send(p.ok, "fault-key");
  remove_fault(server_->db_path());
  EXPECT_EQ(failed.status, 500) << failed.body;
  EXPECT_EQ(failed.error_code(), "INTERNAL_ERROR") << failed.body;
  EXPECT_EQ(failed_again.status, 500) << "the first fault was kept: " << failed_again.body;
  EXPECT_EQ(count(demo_), before) << "the work of a failed request was kept";

  const auto retry = send(p.ok, "fault-key");
  expect_first_answer(retry, success(), "retry after the fault");
  EXPECT_EQ(count(demo_), before + grown(1));
  expect_replay_of(send(p.ok, "fault-key"), retry, "retry of the retry");
  verify(demo_, retry);
}

TEST_P(IdempotencyEndpoints, PurgeJobDeletesExpiredKeys) {
  start({{"PAYGATE_IDEMPOTENCY_TTL_MS", "1000"}, {"PAYGATE_IDEMPOTENCY_PURGE_INTERVAL_MS", "200"}});
  const Prepared p = prepare(demo_);
  const auto ok = send(p.ok, "purged-key-1");
  expect_first_answer(ok, success(), "success");
  const auto refused = send(p.refused, "purged-key-2");
  expect_first_answer(refused, p.refused_status, "refused");
  const auto rows = idempotency_rows(on_postgres() ? server_->database_url() : server_->db_path());
  EXPECT_GE(rows, 1);
  EXPECT_LE(rows, 2);  // both, unless one already expired

  EXPECT_TRUE(eventually(
      [&] {
        return idempotency_rows(on_postgres() ? server_->database_url() : server_->db_path()) == 0;
      },
      10s))
      << idempotency_rows(on_postgres() ? server_->database_url() : server_->db_path())
      << " keys left";
}

TEST_P(IdempotencyEndpoints, ACrashLeavesExactlyOneObject) {
  PAYGATE_SQLITE_ONLY("writes the crashed key into the SQLite file");
  start({{"PAYGATE_IDEMPOTENCY_LOCK_MS", "1000"}});
  const Prepared p = prepare(demo_);
  const auto before = count(demo_);

  // Answered, then the server dies: the answer survives it.
  const auto answered = send(p.ok, "crash-key-1");
  expect_first_answer(answered, success(), "answered before the crash");
  restart();
  expect_replay_of(send(p.ok, "crash-key-1"), answered, "after the restart");
  EXPECT_EQ(count(demo_), before + grown(1));

  // The server dies while the request is in flight: the retry is answered
  // (as a replay, or as a new request if the first never committed) once
  // the first's lock has run out, and one object exists.
  {
    RawConnection raw(server_->port());
    raw.send(raw_request(p.ok, "crash-key-2"));
    restart();
  }
  HttpResponse retry;
  EXPECT_TRUE(eventually(
      [&] {
        retry = send(p.ok, "crash-key-2");
        return retry.status != 409;
      },
      10s));
  EXPECT_EQ(retry.status, success()) << retry.body;
  EXPECT_EQ(count(demo_), before + grown(2)) << "after a crash in flight";
  expect_replay_of(send(p.ok, "crash-key-2"), retry, "after a crash in flight, again");

  // The server died after taking the key and before committing its work:
  // 409 while the key is locked, then the retry takes it over.
  insert_running_key(server_->db_path(), demo_.id, "crash-key-3", p.ok, 1500ms);
  const auto locked = send(p.ok, "crash-key-3");
  expect_idempotency_error(locked, 409, "key left running");
  EXPECT_EQ(locked.header("Retry-After"), "1");
  EXPECT_EQ(count(demo_), before + grown(2));
  HttpResponse taken;
  EXPECT_TRUE(eventually(
      [&] {
        taken = send(p.ok, "crash-key-3");
        return taken.status != 409;
      },
      10s));
  expect_first_answer(taken, success(), "taken over");
  EXPECT_EQ(count(demo_), before + grown(3)) << "after taking a dead request's key over";
  expect_replay_of(send(p.ok, "crash-key-3"), taken, "retry after the take-over");
  EXPECT_EQ(count(demo_), before + grown(3));
}

// The first request is slow, not dead: its key is taken over once its lock
// runs out, and then the first must not make its object after all. The
// server's writer is held up by orders of merchant B that take 1.6 s to
// insert (a trigger), so that the first request's claim, a slow order and
// the retry's claim queue up in this order, and the retry claims the key
// 1.6 s after the first did, before the first's work ran.
TEST_P(IdempotencyEndpoints, TakeOverOfASlowRequestStillRunsOnce) {
  PAYGATE_SQLITE_ONLY("slows the writer down through SQLite locks");
  start({{"PAYGATE_IDEMPOTENCY_LOCK_MS", "1000"}});
  const Merchant b = create_merchant_b(*server_);
  const Prepared p = prepare(demo_);
  const auto before = count(demo_);
  make_slow_orders(server_->db_path(), 1600ms);

  const auto slow_order = [&] {
    HttpClient c(server_->port());
    const auto r = c.post(kOrders, R"({"amount": 500, "receipt": "slow"})", b.secret_auth());
    EXPECT_EQ(r.status, 201) << r.body;
  };
  std::vector<HttpResponse> answers(2);
  const auto keyed = [&](std::size_t i) {
    HttpClient c(server_->port());
    answers[i] = paygate::test::send(c, p.ok, "slow-key");
  };
  std::vector<std::thread> threads;
  threads.emplace_back(slow_order);
  ASSERT_TRUE(eventually([&] {
    return write_locked(server_->db_path()) && write_locked(server_->db_path());
  })) << "the slow order never held the writer";
  // Sequencing, not waiting for a condition: each request must reach the
  // writer's queue before the next is sent.
  threads.emplace_back(keyed, 0);
  std::this_thread::sleep_for(200ms);
  threads.emplace_back(slow_order);
  std::this_thread::sleep_for(200ms);
  threads.emplace_back(keyed, 1);
  for (auto& t : threads) t.join();

  int ran = 0;
  for (const auto& a : answers) {
    if (a.status == success()) {
      ran += a.header(kReplayed).empty() ? 1 : 0;
    } else {
      expect_idempotency_error(a, 409, "the other request");
      EXPECT_EQ(a.header("Retry-After"), "1");
    }
  }
  EXPECT_EQ(ran, 1) << "requests that ran under one key: " << answers[0].body << "\n"
                    << answers[1].body;
  EXPECT_EQ(count(demo_), before + grown(1));
  const auto again = send(p.ok, "slow-key");
  EXPECT_EQ(again.status, success()) << again.body;
  EXPECT_EQ(again.header(kReplayed), "true");
  EXPECT_EQ(count(demo_), before + grown(1));
}

std::string endpoint_name(const ::testing::TestParamInfo<Endpoint>& param) {
  return param.param.name;
}

INSTANTIATE_TEST_SUITE_P(Idempotency, IdempotencyEndpoints, ::testing::ValuesIn(kEndpoints),
                         endpoint_name);

// ---------------------------------------------------------------- single checks

// The fingerprint holds the concrete path: capturing another payment under
// a used key is another request, not a replay.
// A backlog of expired keys far larger than one purge's chunk is deleted,
// and a live key stays. On PostgreSQL the statement timeout is short: one
// DELETE of the whole backlog would run past it and be rolled back at every
// purge, so nothing would ever go.
TEST(Idempotency, PurgeDeletesABacklogInChunksAndKeepsLiveKeys) {
  ServerOptions options;
  options.args = {"--db-statement-timeout-ms", "100"};
  options.env = {{"PAYGATE_IDEMPOTENCY_PURGE_INTERVAL_MS", "200"}};
  auto server = TestServer::start(options);
  const std::string db = on_postgres() ? server->database_url() : server->db_path();
  const std::string columns =
      "(merchant_id, idem_key, fingerprint, state, response_status, response_body,"
      " locked_until, created_at, expires_at)";
  const std::string demo(kDemoMerchantId);
  const std::string live = "INSERT INTO idempotency_keys " + columns + " VALUES ('" + demo +
                           "', 'live', 'f', 'done', 200, '{}', 0, 0, 9000000000000000)";
  const std::string backlog =
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000)"
      " INSERT INTO idempotency_keys " +
      columns + " SELECT '" + demo + "', 'old-' || x, 'f', 'done', 200, '{}', 0, 0, x FROM c";
  execute_sql(db, live);
  execute_sql(db, backlog);
  EXPECT_TRUE(eventually([&] { return idempotency_rows(db) == 1; }, 60s))
      << idempotency_rows(db) << " keys left";
}

TEST(Idempotency, CaptureOfAnotherPaymentUnderTheSameKeyIs422) {
  auto server = TestServer::start();
  auto c = server->client();
  const Merchant demo = demo_merchant();
  const std::string a = settled_payment(c, demo, "success@upi", "SUCCESS");
  const std::string b = settled_payment(c, demo, "success@upi", "SUCCESS");

  const Call capture_a{capture_path(a), "", demo.secret_auth()};
  const Call capture_b{capture_path(b), "", demo.secret_auth()};
  const auto first = send(c, capture_a, "capture-key");
  expect_first_answer(first, 200, "capture A");
  EXPECT_EQ(field_of(first, "id"), a);
  expect_idempotency_error(send(c, capture_b, "capture-key"), 422, "capture B, same key");
  const auto b_now = object_of(c.get(payment_path(b), demo.secret_auth()));
  EXPECT_EQ(b_now.at("captured"), false) << "B was captured under A's key";
  expect_replay_of(send(c, capture_a, "capture-key"), first, "capture A again");
  expect_first_answer(send(c, capture_b, "capture-key-b"), 200, "capture B, its own key");
}

// Keys belong to the merchant, not to the endpoint: the same key and body on
// another path is a mismatch.
TEST(Idempotency, SameKeyOnAnotherEndpointIs422) {
  auto server = TestServer::start();
  auto c = server->client();
  const Merchant demo = demo_merchant();
  const std::string body = order_body(50000);
  const auto first = send(c, {std::string(kOrders), body, demo.secret_auth()}, "cross-key");
  expect_first_answer(first, 201, "merchant create");
  expect_idempotency_error(send(c, {std::string(kPublicOrders), body, {}}, "cross-key"), 422,
                           "public create, same merchant, same key");
  EXPECT_EQ(count_orders(c, demo), 1);
}

// Two requests find the same dead holder's key and both try to take it over.
// On PostgreSQL they run side by side at READ COMMITTED: the take-over lands
// only on the row as it was read, so the second sees it changed, reads again,
// and finds the first holding the key. The test holds the row itself until
// both requests wait to write it, so that both have read it first.
TEST(Idempotency, TheFirstToTakeOverADeadKeyKeepsIt) {
  if (!on_postgres()) GTEST_SKIP() << "only PostgreSQL runs two writes at once";
  auto server = TestServer::start();
  auto c = server->client();
  const Merchant demo = demo_merchant();
  const Call call{std::string(kOrders), order_body(50000), demo.secret_auth()};
  expect_first_answer(send(c, call, "dead-key"), 201, "the first holder");
  const std::string url = server->database_url();
  // As if that first request had claimed the key and died before finishing.
  pg_query(url,
           "UPDATE idempotency_keys SET state = 'running', locked_until = 1,"
           " response_status = NULL, response_body = NULL WHERE idem_key = 'dead-key'");
  const auto before = count_orders(c, demo);

  PgSession holder(url);
  holder.query("BEGIN");
  holder.query("SELECT 1 FROM idempotency_keys WHERE idem_key = 'dead-key' FOR UPDATE");
  // One after the other, so that they do not share one transaction (writes
  // that reach the pool together are committed together).
  std::vector<std::future<HttpResponse>> answers;
  bool waiting = true;
  for (int i = 0; i < 2 && waiting; ++i) {
    answers.push_back(std::async(std::launch::async, [&] {
      auto own = server->client();
      return send(own, call, "dead-key");
    }));
    waiting = eventually_waits_for_a_lock(url, i + 1);
  }
  holder.query("COMMIT");
  ASSERT_TRUE(waiting) << "the two take-overs never both waited for the key's row";

  // The first to take the key over keeps it. Had the second taken it over
  // too, the first's order would be refused when it came to record its
  // answer (the key no longer its own), and the second's would be made.
  const auto first = answers[0].get();
  const auto second = answers[1].get();
  expect_first_answer(first, 201, "the first take-over");
  if (second.status == 201) {
    expect_replay_of(second, first, "the second take-over, after the first finished");
  } else {
    expect_idempotency_error(second, 409, "the second take-over");
  }
  EXPECT_EQ(count_orders(c, demo), before + 1);
}

}  // namespace
}  // namespace paygate::test
