#include "http/router.h"

#include <gtest/gtest.h>

#include <string>

#include "http/request.h"

namespace paygate::http {
namespace {

// A handler of its own type, so a match can tell which one it found. Never run.
template <int N>
struct Tagged {
  boost::asio::awaitable<Result<Reply>> operator()(const Request&) const { co_return Reply{}; }
};

template <int N>
bool is(const Router::Match& m) {
  return m.handler != nullptr && m.handler->target<Tagged<N>>() != nullptr;
}

// The API's order routes (a literal segment and a parameter at the same depth).
Router order_router() {
  Router r;
  r.add(Method::get, "/api/v1/health", Tagged<1>{});
  r.add(Method::post, "/api/v1/orders", Tagged<2>{});
  r.add(Method::get, "/api/v1/orders", Tagged<3>{});
  r.add(Method::get, "/api/v1/orders/{id}", Tagged<4>{});
  r.add(Method::post, "/api/v1/orders/public", Tagged<5>{});
  r.add(Method::get, "/api/v1/orders/public/{id}", Tagged<6>{});
  r.add(Method::post, "/api/v1/payments/{id}/capture", Tagged<7>{});
  return r;
}

TEST(Router, LiteralRoute) {
  const Router r = order_router();
  const auto m = r.match(Method::get, "/api/v1/health");
  EXPECT_TRUE(is<1>(m));
  EXPECT_EQ(m.pattern, "/api/v1/health");
  EXPECT_EQ(m.params[0], "");
}

TEST(Router, MethodSelectsAmongRoutesOfOnePath) {
  const Router r = order_router();
  EXPECT_TRUE(is<2>(r.match(Method::post, "/api/v1/orders")));
  EXPECT_TRUE(is<3>(r.match(Method::get, "/api/v1/orders")));
}

TEST(Router, ParameterIsExtracted) {
  const Router r = order_router();
  const auto m = r.match(Method::get, "/api/v1/orders/order_AbC123xyz0000001");
  EXPECT_TRUE(is<4>(m));
  EXPECT_EQ(m.pattern, "/api/v1/orders/{id}");
  EXPECT_EQ(m.params[0], "order_AbC123xyz0000001");
  EXPECT_EQ(m.params[1], "");
}

TEST(Router, ParameterInTheMiddle) {
  const Router r = order_router();
  const auto m = r.match(Method::post, "/api/v1/payments/pay_1/capture");
  EXPECT_TRUE(is<7>(m));
  EXPECT_EQ(m.params[0], "pay_1");
  EXPECT_EQ(r.match(Method::post, "/api/v1/payments/pay_1/refund").handler, nullptr);
}

TEST(Router, SeveralParameters) {
  Router r;
  r.add(Method::get, "/a/{x}/b/{y}/{z}", Tagged<1>{});
  const auto m = r.match(Method::get, "/a/1/b/two/3");
  ASSERT_TRUE(is<1>(m));
  EXPECT_EQ(m.params[0], "1");
  EXPECT_EQ(m.params[1], "two");
  EXPECT_EQ(m.params[2], "3");
  EXPECT_EQ(m.params[3], "");
}

TEST(Router, LiteralBeatsParameter) {
  const Router r = order_router();
  const auto m = r.match(Method::post, "/api/v1/orders/public");
  EXPECT_TRUE(is<5>(m));
  EXPECT_EQ(m.pattern, "/api/v1/orders/public");
  EXPECT_EQ(m.params[0], "");
  // The deeper public route is its own path.
  const auto pub = r.match(Method::get, "/api/v1/orders/public/order_1");
  EXPECT_TRUE(is<6>(pub));
  EXPECT_EQ(pub.params[0], "order_1");
}

TEST(Router, LiteralBeatsParameterWhateverTheOrderOfRegistration) {
  for (bool literal_first : {true, false}) {
    Router r;
    if (literal_first) r.add(Method::get, "/orders/public", Tagged<1>{});
    r.add(Method::get, "/orders/{id}", Tagged<2>{});
    if (!literal_first) r.add(Method::get, "/orders/public", Tagged<1>{});
    EXPECT_TRUE(is<1>(r.match(Method::get, "/orders/public"))) << literal_first;
    EXPECT_TRUE(is<2>(r.match(Method::get, "/orders/order_1"))) << literal_first;
  }
}

TEST(Router, MoreLiteralSegmentsWin) {
  Router r;
  r.add(Method::get, "/{a}/{b}", Tagged<1>{});
  r.add(Method::get, "/x/{b}", Tagged<2>{});
  r.add(Method::get, "/x/y", Tagged<3>{});
  EXPECT_TRUE(is<3>(r.match(Method::get, "/x/y")));
  EXPECT_TRUE(is<2>(r.match(Method::get, "/x/z")));
  EXPECT_TRUE(is<1>(r.match(Method::get, "/w/y")));
}

// GET of the literal's path: only the parameter route has GET, so it is the
// one that answers (with id "public", which no order has).
TEST(Router, LiteralPathWithAnotherMethodFallsToTheParameterRoute) {
  const Router r = order_router();
  const auto m = r.match(Method::get, "/api/v1/orders/public");
  EXPECT_TRUE(is<4>(m));
  EXPECT_EQ(m.params[0], "public");
}

TEST(Router, WrongMethodIsPathKnownWithAllow) {
  const Router r = order_router();
  const auto m = r.match(Method::del, "/api/v1/orders/order_1");
  EXPECT_EQ(m.handler, nullptr);
  EXPECT_TRUE(m.path_known);
  EXPECT_EQ(m.allow, "GET");

  const auto both = r.match(Method::put, "/api/v1/orders");
  EXPECT_EQ(both.handler, nullptr);
  EXPECT_TRUE(both.path_known);
  EXPECT_EQ(both.allow, "POST, GET");

  const auto health = r.match(Method::post, "/api/v1/health");
  EXPECT_EQ(health.handler, nullptr);
  EXPECT_TRUE(health.path_known);
  EXPECT_EQ(health.allow, "GET");
}

TEST(Router, AllowListsEveryMethodOnce) {
  const Router r = order_router();
  // "/api/v1/orders/public" is both the POST literal and the GET {id} route.
  const auto m = r.match(Method::patch, "/api/v1/orders/public");
  EXPECT_EQ(m.handler, nullptr);
  EXPECT_TRUE(m.path_known);
  EXPECT_EQ(m.allow, "GET, POST");

  Router dup;
  dup.add(Method::get, "/x/{id}", Tagged<1>{});
  dup.add(Method::get, "/x/special", Tagged<2>{});
  dup.add(Method::post, "/x/special", Tagged<3>{});
  const auto d = dup.match(Method::del, "/x/special");
  EXPECT_TRUE(d.path_known);
  EXPECT_EQ(d.allow, "GET, POST");
}

TEST(Router, UnknownPath) {
  const Router r = order_router();
  for (const char* path :
       {"/", "", "/api", "/api/v1", "/api/v2/orders", "/API/v1/health", "/api/v1/healthz",
        "/api/v1/orders/a/b", "/api/v1/payments/p/capture/x", "/api/v1/orders/public/order_1/x"}) {
    const auto m = r.match(Method::get, path);
    EXPECT_EQ(m.handler, nullptr) << path;
    EXPECT_FALSE(m.path_known) << path;
    EXPECT_EQ(m.allow, "") << path;
  }
}

TEST(Router, TrailingSlashIsTheSamePath) {
  const Router r = order_router();
  EXPECT_TRUE(is<1>(r.match(Method::get, "/api/v1/health/")));
  const auto m = r.match(Method::get, "/api/v1/orders/order_1/");
  EXPECT_TRUE(is<4>(m));
  EXPECT_EQ(m.params[0], "order_1");
}

TEST(Router, EmptySegmentsDoNotMatchParametersOrLiterals) {
  const Router r = order_router();
  // An empty {id}.
  EXPECT_EQ(r.match(Method::get, "/api/v1/orders//").handler, nullptr);
  EXPECT_EQ(r.match(Method::post, "/api/v1/payments//capture").handler, nullptr);
  // A doubled slash inside a literal path.
  EXPECT_EQ(r.match(Method::get, "/api//v1/health").handler, nullptr);
  EXPECT_EQ(r.match(Method::get, "//api/v1/health").handler, nullptr);
}

TEST(Router, TooManySegments) {
  Router r;
  std::string sixteen;
  for (int i = 0; i < 16; ++i) sixteen += "/s" + std::to_string(i);
  r.add(Method::get, sixteen, Tagged<1>{});
  r.add(Method::get, "/{a}", Tagged<2>{});
  EXPECT_TRUE(is<1>(r.match(Method::get, sixteen)));

  const auto m = r.match(Method::get, sixteen + "/s16");
  EXPECT_EQ(m.handler, nullptr);
  EXPECT_FALSE(m.path_known);

  std::string many;
  for (int i = 0; i < 1000; ++i) many += "/x";
  const auto huge = r.match(Method::get, many);
  EXPECT_EQ(huge.handler, nullptr);
  EXPECT_FALSE(huge.path_known);
}

TEST(Router, RoutesListsEveryRegistration) {
  const Router r = order_router();
  const auto routes = r.routes();
  ASSERT_EQ(routes.size(), 7u);
  EXPECT_EQ(routes[0].first, Method::get);
  EXPECT_EQ(routes[0].second, "/api/v1/health");
  EXPECT_EQ(routes[4].first, Method::post);
  EXPECT_EQ(routes[4].second, "/api/v1/orders/public");
}

// ---- error_reply ----

// A 503's or 500's description can hold libpq's text (host, user), a path or
// SQL: the answer has a fixed one, whatever the error says.
TEST(ErrorReply, UnavailableAndInternalAnswersHaveFixedDescriptions) {
  const std::string driver =
      "PostgreSQL is unavailable: connection to server at \"db.internal\" (10.1.2.3), port "
      "5432 failed: FATAL:  password authentication failed for user \"paygate_app\"";
  for (const Error& e :
       {Error::service_unavailable(driver), Error::overloaded(driver), Error::internal(driver)}) {
    const Reply r = error_reply(e, "req_1");
    EXPECT_EQ(r.status, e.http_status);
    for (const char* leak : {"db.internal", "10.1.2.3", "paygate_app", "PostgreSQL", "FATAL"}) {
      EXPECT_EQ(r.body.find(leak), std::string::npos) << r.body;
    }
    EXPECT_NE(r.body.find("\"request_id\":\"req_1\""), std::string::npos) << r.body;
  }
  EXPECT_NE(
      error_reply(Error::service_unavailable(driver), "r").body.find("temporarily unavailable"),
      std::string::npos);
  // Below 500 the description is the client's to read.
  EXPECT_NE(error_reply(Error::bad_request("amount must be at least 100"), "r")
                .body.find("amount must be at least 100"),
            std::string::npos);
}

}  // namespace
}  // namespace paygate::http
