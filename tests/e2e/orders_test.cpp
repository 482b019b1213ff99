// The Orders endpoints, end to end: create, get, public create and get,
// listing, every validation rule, merchant isolation and durability.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <ctime>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "harness.h"

namespace paygate::test {
namespace {

namespace json = boost::json;

constexpr std::string_view kOrders = "/api/v1/orders";
constexpr std::string_view kPublicOrders = "/api/v1/orders/public";
constexpr std::string_view kDemoMerchantId = "mrc_testmerchant0001";

bool is_order_id(std::string_view id) {
  static const std::regex re("^order_[A-Za-z0-9]{16}$");
  return std::regex_match(id.begin(), id.end(), re);
}

// Seconds since the epoch of an ISO 8601 UTC timestamp (fraction dropped).
std::int64_t unix_seconds(std::string_view ts) {
  std::tm tm{};
  const std::string s(ts);
  if (::strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) {
    ADD_FAILURE() << "not a timestamp: " << ts;
    return 0;
  }
  return static_cast<std::int64_t>(::timegm(&tm));
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Checks every field of an order object, with its type.
void expect_order_shape(const json::object& o) {
  for (const char* key : {"id", "merchant_id", "amount", "currency", "status", "receipt", "notes",
                          "created_at", "updated_at"}) {
    EXPECT_TRUE(o.contains(key)) << "missing " << key << " in " << json::serialize(o);
  }
  if (!o.contains("id") || !o.contains("created_at") || !o.contains("updated_at")) return;
  ASSERT_TRUE(o.at("id").is_string());
  EXPECT_TRUE(is_order_id(o.at("id").as_string())) << o.at("id");
  EXPECT_TRUE(o.at("merchant_id").is_string());
  EXPECT_TRUE(o.at("amount").is_int64()) << o.at("amount");
  EXPECT_TRUE(o.at("currency").is_string());
  EXPECT_TRUE(o.at("status").is_string());
  EXPECT_TRUE(o.at("receipt").is_string() || o.at("receipt").is_null());
  EXPECT_TRUE(o.at("notes").is_object());
  ASSERT_TRUE(o.at("created_at").is_string());
  ASSERT_TRUE(o.at("updated_at").is_string());
  EXPECT_TRUE(is_iso_micros(o.at("created_at").as_string())) << o.at("created_at");
  EXPECT_TRUE(is_iso_micros(o.at("updated_at").as_string())) << o.at("updated_at");
}

// Creates an order for the demo merchant; its JSON.
json::object create_order(const TestServer& server, std::string_view body = R"({"amount": 500})") {
  const auto res = server.post(kOrders, body, demo_auth());
  EXPECT_EQ(res.status, 201) << res.body;
  return object_of(res);
}

// Expects a 400 BAD_REQUEST_ERROR naming field ("" when no field is expected).
void expect_bad_request(const HttpResponse& res, std::string_view field,
                        std::string_view what = {}) {
  EXPECT_EQ(res.status, 400) << what << ": " << res.body;
  EXPECT_EQ(res.error_code(), "BAD_REQUEST_ERROR") << what << ": " << res.body;
  EXPECT_EQ(res.header("Content-Type"), "application/json") << what;
  if (res.status != 400) return;
  const auto body = object_of(res);
  if (!body.contains("error")) return;
  const auto& error = body.at("error").as_object();
  EXPECT_TRUE(error.at("description").is_string()) << what;
  EXPECT_FALSE(error.at("description").as_string().empty()) << what;
  if (!field.empty()) {
    ASSERT_TRUE(error.contains("field")) << what << ": " << res.body;
    EXPECT_EQ(error.at("field").as_string(), field) << what << ": " << res.body;
  }
}

std::vector<std::string> ids_of(const HttpResponse& res) {
  std::vector<std::string> ids;
  const auto body = object_of(res);
  if (!body.contains("items")) {
    ADD_FAILURE() << "no items: " << res.body;
    return ids;
  }
  for (const auto& item : body.at("items").as_array()) ids.push_back(str(item.at("id")));
  return ids;
}

std::string notes_with(int keys, std::size_t value_length) {
  json::object notes;
  for (int i = 0; i < keys; ++i) notes["k" + std::to_string(i)] = std::string(value_length, 'v');
  json::object body{{"amount", 500}};
  body["notes"] = notes;
  return json::serialize(body);
}

// ---------------------------------------------------------------- create / get

TEST(Orders, CreateAnswers201WithTheFullOrderObject) {
  auto server = TestServer::start();
  const auto before = now_seconds();
  const auto res = server->post(
      kOrders,
      R"({"amount": 50000, "currency": "INR", "receipt": "receipt_001", "notes": {"customer": "John Doe"}})",
      demo_auth());
  ASSERT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(res.header("Content-Type"), "application/json");
  const auto o = object_of(res);
  expect_order_shape(o);
  EXPECT_EQ(o.size(), 9u) << res.body;
  EXPECT_EQ(str(o.at("merchant_id")), kDemoMerchantId);
  EXPECT_EQ(o.at("amount").as_int64(), 50000);
  EXPECT_EQ(o.at("currency"), "INR");
  EXPECT_EQ(o.at("status"), "created");
  EXPECT_EQ(o.at("receipt"), "receipt_001");
  EXPECT_EQ(o.at("notes"), (json::object{{"customer", "John Doe"}}));
  EXPECT_EQ(o.at("created_at"), o.at("updated_at"));
  const auto created = unix_seconds(o.at("created_at").as_string());
  EXPECT_GE(created, before - 1);
  EXPECT_LE(created, now_seconds() + 1);
}

TEST(Orders, CreateDefaultsCurrencyReceiptAndNotes) {
  auto server = TestServer::start();
  const auto o = create_order(*server, R"({"amount": 100})");
  expect_order_shape(o);
  EXPECT_EQ(o.at("amount").as_int64(), 100);
  EXPECT_EQ(o.at("currency"), "INR");
  EXPECT_TRUE(o.at("receipt").is_null());
  EXPECT_TRUE(o.at("notes").as_object().empty());
}

TEST(Orders, CreateAcceptsOtherSupportedCurrencies) {
  auto server = TestServer::start();
  for (const char* currency : {"USD", "EUR", "GBP"}) {
    const auto o = create_order(
        *server, std::string(R"({"amount": 1000, "currency": ")") + currency + R"("})");
    EXPECT_EQ(o.at("currency"), currency);
  }
}

TEST(Orders, IdsAreUniqueAndWellFormed) {
  auto server = TestServer::start();
  std::set<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    const auto o = create_order(*server);
    const std::string id = str(o.at("id"));
    EXPECT_TRUE(is_order_id(id)) << id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 20u);
}

TEST(Orders, GetReturnsTheSameOrder) {
  auto server = TestServer::start();
  const auto created =
      create_order(*server, R"({"amount": 777, "receipt": "r1", "notes": {"a": "b"}})");
  const auto res = server->get(std::string(kOrders) + "/" + str(created.at("id")), demo_auth());
  ASSERT_EQ(res.status, 200) << res.body;
  const auto o = object_of(res);
  expect_order_shape(o);
  EXPECT_EQ(o, created);
}

TEST(Orders, GetUnknownIdIs404) {
  auto server = TestServer::start();
  for (const char* id : {"order_AAAAAAAAAAAAAAAA", "nonsense"}) {
    const auto res = server->get(std::string(kOrders) + "/" + id, demo_auth());
    EXPECT_EQ(res.status, 404) << id;
    EXPECT_EQ(res.error_code(), "NOT_FOUND_ERROR") << res.body;
  }
}

TEST(Orders, UnknownFieldsAreIgnored) {
  auto server = TestServer::start();
  const auto res = server->post(
      kOrders, R"({"amount": 500, "colour": "blue", "nested": {"x": [1, 2]}, "extra": null})",
      demo_auth());
  ASSERT_EQ(res.status, 201) << res.body;
  const auto o = object_of(res);
  expect_order_shape(o);
  EXPECT_FALSE(o.contains("colour"));
  EXPECT_FALSE(o.contains("nested"));
}

// ---------------------------------------------------------------- public endpoints

TEST(OrdersPublic, KeylessCreateIsServedForTheDemoMerchant) {
  auto server = TestServer::start();
  const auto res = server->post(kPublicOrders, R"({"amount": 50000, "receipt": "r"})");
  ASSERT_EQ(res.status, 201) << res.body;
  const auto o = object_of(res);
  expect_order_shape(o);
  EXPECT_EQ(str(o.at("merchant_id")), kDemoMerchantId);
  EXPECT_EQ(o.at("amount").as_int64(), 50000);
  EXPECT_EQ(o.at("status"), "created");
  // The merchant sees it with its key and secret.
  EXPECT_EQ(server->get(std::string(kOrders) + "/" + str(o.at("id")), demo_auth()).status, 200);
}

TEST(OrdersPublic, FindsTheMerchantFromHeaderBodyOrQuery) {
  auto server = TestServer::start();
  const auto b = create_merchant(*server, "B", "b@example.com");
  ASSERT_FALSE(b.key.empty());
  ASSERT_NE(b.id, kDemoMerchantId);

  const auto by_header = server->post(kPublicOrders, R"({"amount": 500})", {{"X-Api-Key", b.key}});
  ASSERT_EQ(by_header.status, 201) << by_header.body;
  EXPECT_EQ(str(object_of(by_header).at("merchant_id")), b.id);

  const auto by_body =
      server->post(kPublicOrders, R"({"amount": 600, "key_id": ")" + b.key + R"("})");
  ASSERT_EQ(by_body.status, 201) << by_body.body;
  EXPECT_EQ(str(object_of(by_body).at("merchant_id")), b.id);
  EXPECT_EQ(object_of(by_body).at("amount").as_int64(), 600);

  for (int i = 0; i < 10; ++i) {
    const auto by_query =
        server->post(std::string(kPublicOrders) + "?key_id=" + b.key, R"({"amount": 700})");
    ASSERT_EQ(by_query.status, 201) << i << ": " << by_query.body;
    EXPECT_EQ(str(object_of(by_query).at("merchant_id")), b.id);
  }

  // The demo key, given explicitly, names the demo merchant.
  const auto demo =
      server->post(kPublicOrders, R"({"amount": 500})", {{"X-Api-Key", std::string(kDemoKey)}});
  ASSERT_EQ(demo.status, 201) << demo.body;
  EXPECT_EQ(str(object_of(demo).at("merchant_id")), kDemoMerchantId);
}

TEST(OrdersPublic, UnknownKeyIs401) {
  auto server = TestServer::start();
  const std::vector<std::pair<std::string, Headers>> cases = {
      {std::string(kPublicOrders), {{"X-Api-Key", "key_doesnotexist"}}},
      {std::string(kPublicOrders) + "?key_id=key_doesnotexist", {}},
  };
  for (const auto& [target, headers] : cases) {
    const auto res = server->post(target, R"({"amount": 500})", headers);
    EXPECT_EQ(res.status, 401) << target;
    EXPECT_EQ(res.error_code(), "AUTHENTICATION_ERROR") << res.body;
  }
  const auto in_body = server->post(kPublicOrders, R"({"amount": 500, "key_id": "key_nope"})");
  EXPECT_EQ(in_body.status, 401);
  EXPECT_EQ(in_body.error_code(), "AUTHENTICATION_ERROR") << in_body.body;
}

TEST(OrdersPublic, CreateValidatesLikeTheMerchantEndpoint) {
  auto server = TestServer::start();
  expect_bad_request(server->post(kPublicOrders, R"({"amount": 99})"), "amount", "amount 99");
  expect_bad_request(server->post(kPublicOrders, R"({"amount": 500, "currency": "XYZ"})"),
                     "currency", "currency XYZ");
  expect_bad_request(server->post(kPublicOrders, "{not json"), "", "malformed");
}

TEST(OrdersPublic, GetHasMerchantNameAndNoNotes) {
  auto server = TestServer::start();
  const auto created =
      create_order(*server, R"({"amount": 4321, "currency": "USD", "receipt": "secret-receipt",
                   "notes": {"internal": "do not show"}})");
  const std::string id = str(created.at("id"));
  const auto res = server->get(std::string(kPublicOrders) + "/" + id);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.header("Content-Type"), "application/json");
  const auto o = object_of(res);
  EXPECT_EQ(str(o.at("id")), id);
  EXPECT_EQ(o.at("amount").as_int64(), 4321);
  EXPECT_EQ(o.at("currency"), "USD");
  EXPECT_EQ(o.at("status"), "created");
  ASSERT_TRUE(o.contains("merchant_name"));
  EXPECT_EQ(o.at("merchant_name"), "Test Merchant");
  EXPECT_FALSE(o.contains("notes")) << res.body;
  EXPECT_EQ(res.body.find("do not show"), std::string::npos) << res.body;
  EXPECT_TRUE(is_iso_micros(o.at("created_at").as_string())) << res.body;
}

TEST(OrdersPublic, GetUnknownIdIs404) {
  auto server = TestServer::start();
  const auto res = server->get(std::string(kPublicOrders) + "/order_AAAAAAAAAAAAAAAA");
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.error_code(), "NOT_FOUND_ERROR") << res.body;
}

// ---------------------------------------------------------------- validation

TEST(OrdersValidation, Amount) {
  auto server = TestServer::start();
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"missing", R"({"currency": "INR"})"},
      {"null", R"({"amount": null})"},
      {"99", R"({"amount": 99})"},
      {"0", R"({"amount": 0})"},
      {"negative", R"({"amount": -500})"},
      {"string", R"({"amount": "500"})"},
      {"float 500.5", R"({"amount": 500.5})"},
      {"float 500.0", R"({"amount": 500.0})"},
      {"exponent", R"({"amount": 5e2})"},
      {"too large", R"({"amount": 10000000000001})"},
      {"beyond int64", R"({"amount": 18446744073709551615})"},
      {"boolean", R"({"amount": true})"},
      {"object", R"({"amount": {"value": 500}})"},
  };
  for (const auto& [what, body] : bad) {
    expect_bad_request(server->post(kOrders, body, demo_auth()), "amount", what);
  }
  // The boundaries themselves are accepted.
  EXPECT_EQ(create_order(*server, R"({"amount": 100})").at("amount").as_int64(), 100);
  EXPECT_EQ(create_order(*server, R"({"amount": 10000000000000})").at("amount").as_int64(),
            10'000'000'000'000);
}

TEST(OrdersValidation, Currency) {
  auto server = TestServer::start();
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"XYZ", R"({"amount": 500, "currency": "XYZ"})"},
      {"lower case", R"({"amount": 500, "currency": "inr"})"},
      {"empty", R"({"amount": 500, "currency": ""})"},
      {"too long", R"({"amount": 500, "currency": "INRR"})"},
      {"number", R"({"amount": 500, "currency": 356})"},
      {"array", R"({"amount": 500, "currency": ["INR"]})"},
  };
  for (const auto& [what, body] : bad) {
    expect_bad_request(server->post(kOrders, body, demo_auth()), "currency", what);
  }
}

TEST(OrdersValidation, Receipt) {
  auto server = TestServer::start();
  const std::string forty(40, 'r');
  const auto ok = create_order(*server, R"({"amount": 500, "receipt": ")" + forty + R"("})");
  EXPECT_EQ(str(ok.at("receipt")), forty);
  expect_bad_request(
      server->post(kOrders, R"({"amount": 500, "receipt": ")" + forty + R"(x"})", demo_auth()),
      "receipt", "41 chars");
  expect_bad_request(server->post(kOrders, R"({"amount": 500, "receipt": 12})", demo_auth()),
                     "receipt", "number");
  expect_bad_request(server->post(kOrders, R"({"amount": 500, "receipt": {}})", demo_auth()),
                     "receipt", "object");
}

TEST(OrdersValidation, Notes) {
  auto server = TestServer::start();
  // Not an object.
  for (const char* notes : {R"("text")", "[]", R"(["a"])", "5", "true"}) {
    expect_bad_request(
        server->post(kOrders, std::string(R"({"amount": 500, "notes": )") + notes + "}",
                     demo_auth()),
        "notes", notes);
  }
  // At most 15 keys.
  const auto fifteen = server->post(kOrders, notes_with(15, 5), demo_auth());
  ASSERT_EQ(fifteen.status, 201) << fifteen.body;
  EXPECT_EQ(object_of(fifteen).at("notes").as_object().size(), 15u);
  expect_bad_request(server->post(kOrders, notes_with(16, 5), demo_auth()), "notes", "16 keys");
  // String values only.
  for (const char* value : {"1", "true", "null", R"({"x": "y"})", R"(["a"])"}) {
    expect_bad_request(
        server->post(kOrders, std::string(R"({"amount": 500, "notes": {"k": )") + value + "}}",
                     demo_auth()),
        "notes", value);
  }
  // Values up to 256 characters.
  const auto v256 = server->post(kOrders, notes_with(1, 256), demo_auth());
  ASSERT_EQ(v256.status, 201) << v256.body;
  EXPECT_EQ(object_of(v256).at("notes").at("k0").as_string().size(), 256u);
  expect_bad_request(server->post(kOrders, notes_with(1, 257), demo_auth()), "notes", "257 chars");
}

TEST(OrdersValidation, MalformedBodies) {
  auto server = TestServer::start();
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"malformed", R"({"amount": 500)"},
      {"garbage", "amount=500"},
      {"array", R"([{"amount": 500}])"},
      {"string", R"("amount")"},
      {"number", "500"},
      {"null", "null"},
      {"empty", ""},
      {"trailing garbage", R"({"amount": 500} x)"},
  };
  for (const auto& [what, body] : bad) {
    expect_bad_request(server->post(kOrders, body, demo_auth()), "", what);
  }
  // Nothing was created.
  const auto list = server->get(kOrders, demo_auth());
  ASSERT_EQ(list.status, 200);
  EXPECT_TRUE(ids_of(list).empty()) << list.body;
}

// ---------------------------------------------------------------- listing

TEST(OrdersList, NewestFirstWithCollectionShape) {
  auto server = TestServer::start();
  std::vector<std::string> created;
  for (int i = 0; i < 3; ++i) created.push_back(str(create_order(*server).at("id")));
  const auto res = server->get(kOrders, demo_auth());
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.header("Content-Type"), "application/json");
  const auto body = object_of(res);
  EXPECT_EQ(body.at("entity"), "collection");
  EXPECT_EQ(body.at("count").as_int64(), 3);
  ASSERT_EQ(body.at("items").as_array().size(), 3u);
  for (const auto& item : body.at("items").as_array()) expect_order_shape(item.as_object());
  EXPECT_EQ(ids_of(res), (std::vector<std::string>{created[2], created[1], created[0]}));
}

TEST(OrdersList, EmptyCollection) {
  auto server = TestServer::start();
  const auto res = server->get(kOrders, demo_auth());
  ASSERT_EQ(res.status, 200);
  const auto body = object_of(res);
  EXPECT_EQ(body.at("entity"), "collection");
  EXPECT_EQ(body.at("count").as_int64(), 0);
  EXPECT_TRUE(body.at("items").as_array().empty());
}

TEST(OrdersList, CountAndSkip) {
  auto server = TestServer::start();
  std::vector<std::string> created;
  for (int i = 0; i < 12; ++i) created.push_back(str(create_order(*server).at("id")));
  const std::vector<std::string> newest_first(created.rbegin(), created.rend());

  const auto def = server->get(kOrders, demo_auth());
  ASSERT_EQ(def.status, 200);
  EXPECT_EQ(object_of(def).at("count").as_int64(), 10);
  EXPECT_EQ(ids_of(def), std::vector<std::string>(newest_first.begin(), newest_first.begin() + 10));

  const auto all = server->get(std::string(kOrders) + "?count=100", demo_auth());
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(ids_of(all), newest_first);

  const auto three = server->get(std::string(kOrders) + "?count=3", demo_auth());
  EXPECT_EQ(ids_of(three),
            std::vector<std::string>(newest_first.begin(), newest_first.begin() + 3));

  const auto skipped = server->get(std::string(kOrders) + "?count=3&skip=2", demo_auth());
  ASSERT_EQ(skipped.status, 200);
  EXPECT_EQ(object_of(skipped).at("count").as_int64(), 3);
  EXPECT_EQ(ids_of(skipped),
            std::vector<std::string>(newest_first.begin() + 2, newest_first.begin() + 5));

  const auto tail = server->get(std::string(kOrders) + "?skip=10", demo_auth());
  EXPECT_EQ(ids_of(tail), std::vector<std::string>(newest_first.begin() + 10, newest_first.end()));

  const auto past_end = server->get(std::string(kOrders) + "?skip=50", demo_auth());
  ASSERT_EQ(past_end.status, 200);
  EXPECT_TRUE(ids_of(past_end).empty());
}

TEST(OrdersList, BadPagingParametersAre400) {
  auto server = TestServer::start();
  create_order(*server);
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"count=101", "count"}, {"count=0", "count"}, {"count=-1", "count"},  {"count=abc", "count"},
      {"count=10x", "count"}, {"count=", "count"},  {"count=1.5", "count"}, {"skip=-1", "skip"},
      {"skip=x", "skip"},     {"from=abc", "from"}, {"to=abc", "to"},       {"from=-5", "from"},
  };
  for (const auto& [query, field] : bad) {
    expect_bad_request(server->get(std::string(kOrders) + "?" + query, demo_auth()), field, query);
  }
}

TEST(OrdersList, FromAndToFilterByUnixSeconds) {
  auto server = TestServer::start();
  const auto order = create_order(*server);
  const std::string id = str(order.at("id"));
  const auto created = unix_seconds(order.at("created_at").as_string());
  const auto list = [&](const std::string& query) {
    const auto res = server->get(std::string(kOrders) + "?" + query, demo_auth());
    EXPECT_EQ(res.status, 200) << query << ": " << res.body;
    return ids_of(res);
  };
  const std::vector<std::string> just_it{id};
  const std::vector<std::string> none;
  const auto s = [](std::int64_t v) { return std::to_string(v); };

  EXPECT_EQ(list("from=" + s(created)), just_it);  // from includes its second
  EXPECT_EQ(list("to=" + s(created)), just_it);    // to includes its whole second
  EXPECT_EQ(list("from=" + s(created) + "&to=" + s(created)), just_it);
  EXPECT_EQ(list("from=" + s(created - 100) + "&to=" + s(created + 100)), just_it);
  EXPECT_EQ(list("from=" + s(created + 1)), none);
  EXPECT_EQ(list("to=" + s(created - 1)), none);
  EXPECT_EQ(list("from=0&to=" + s(created - 3600)), none);
  // The last parameter of a query is read exactly (not past the query's end),
  // every time.
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(list("count=5&from=" + s(created) + "&to=" + s(created)), just_it) << i;
  }
}

// ---------------------------------------------------------------- isolation, durability

TEST(OrdersIsolation, AnotherMerchantCannotSeeTheOrder) {
  auto server = TestServer::start();
  const auto a_order = create_order(*server);
  const std::string a_id = str(a_order.at("id"));
  const auto b = create_merchant(*server, "B", "b@example.com");
  ASSERT_FALSE(b.key.empty());
  const Headers b_auth = auth(b.key, b.secret);

  const auto get = server->get(std::string(kOrders) + "/" + a_id, b_auth);
  EXPECT_EQ(get.status, 404) << get.body;
  EXPECT_EQ(get.error_code(), "NOT_FOUND_ERROR");
  EXPECT_EQ(get.body.find(std::string(kDemoMerchantId)), std::string::npos) << get.body;

  const auto b_empty = server->get(kOrders, b_auth);
  ASSERT_EQ(b_empty.status, 200) << b_empty.body;
  EXPECT_TRUE(ids_of(b_empty).empty()) << b_empty.body;

  // B's own order is listed for B only, and is likewise hidden from A.
  const auto b_created = server->post(kOrders, R"({"amount": 900})", b_auth);
  ASSERT_EQ(b_created.status, 201) << b_created.body;
  const auto b_order = object_of(b_created);
  EXPECT_EQ(str(b_order.at("merchant_id")), b.id);
  const std::string b_id = str(b_order.at("id"));
  EXPECT_EQ(ids_of(server->get(kOrders, b_auth)), std::vector<std::string>{b_id});
  EXPECT_EQ(ids_of(server->get(kOrders, demo_auth())), std::vector<std::string>{a_id});
  const auto a_get_b = server->get(std::string(kOrders) + "/" + b_id, demo_auth());
  EXPECT_EQ(a_get_b.status, 404);
  EXPECT_EQ(a_get_b.error_code(), "NOT_FOUND_ERROR");
  EXPECT_EQ(server->get(std::string(kOrders) + "/" + b_id, b_auth).status, 200);

  // B's secret does not work with A's key.
  EXPECT_EQ(server->get(kOrders, auth(kDemoKey, b.secret)).status, 401);
}

TEST(OrdersDurability, OrdersSurviveARestart) {
  auto server = TestServer::start();
  const auto first = create_order(*server, R"({"amount": 1234, "notes": {"k": "v"}})");
  const auto second = server->post(kPublicOrders, R"({"amount": 5678})");
  ASSERT_EQ(second.status, 201);
  const auto second_order = object_of(second);

  server->restart();

  const auto got = server->get(std::string(kOrders) + "/" + str(first.at("id")), demo_auth());
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(object_of(got), first);
  const auto got2 =
      server->get(std::string(kOrders) + "/" + str(second_order.at("id")), demo_auth());
  ASSERT_EQ(got2.status, 200) << got2.body;
  EXPECT_EQ(object_of(got2), second_order);
  EXPECT_EQ(ids_of(server->get(kOrders, demo_auth())),
            (std::vector<std::string>{str(second_order.at("id")), str(first.at("id"))}));
  // And the restarted server still creates orders.
  create_order(*server);
}

}  // namespace
}  // namespace paygate::test
