#include "flows.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace paygate::test {

namespace json = boost::json;

std::string create_order(HttpClient& c, const Headers& headers, std::int64_t amount) {
  const auto res =
      c.post("/api/v1/orders", json::serialize(json::object{{"amount", amount}}), headers);
  EXPECT_EQ(res.status, 201) << res.body;
  if (res.status != 201) return {};
  return str(object_of(res).at("id"));
}

json::object upi(std::string_view vpa) {
  return {{"method", "upi"}, {"vpa", vpa}};
}

json::object card(std::string_view number, std::string_view cvv) {
  return {{"method", "card"},
          {"card",
           {{"number", number}, {"expiry_month", "12"}, {"expiry_year", "2030"}, {"cvv", cvv}}}};
}

std::string start_payment(HttpClient& c, json::object instrument, bool merchant_endpoint,
                          const Headers& headers) {
  const std::string order = create_order(c, headers);
  instrument["order_id"] = order;
  const auto res = c.post(merchant_endpoint ? "/api/v1/payments" : "/api/v1/payments/public",
                          json::serialize(instrument), headers);
  EXPECT_EQ(res.status, 201) << json::serialize(instrument) << " -> " << res.body;
  if (res.status != 201) return {};
  return str(object_of(res).at("id"));
}

std::string payment_path(std::string_view id) {
  return "/api/v1/payments/" + std::string(id);
}

json::object get_payment(HttpClient& c, std::string_view id, const Headers& headers) {
  const auto res = c.get(payment_path(id), headers);
  EXPECT_EQ(res.status, 200) << res.body;
  if (res.status != 200) return {};
  return object_of(res);
}

bool is_settled(const json::object& p) {
  return p.contains("status") && (p.at("status") == "SUCCESS" || p.at("status") == "FAILED");
}

json::object wait_settled(HttpClient& c, std::string_view id, const Headers& headers,
                          std::chrono::milliseconds timeout) {
  json::object last;
  const bool done = eventually(
      [&] {
        last = get_payment(c, id, headers);
        return is_settled(last);
      },
      timeout);
  EXPECT_TRUE(done) << "payment " << id << " not settled: " << json::serialize(last);
  return last;
}

std::string captured_payment(HttpClient& c, const Headers& headers, json::object instrument) {
  const std::string id = start_payment(c, std::move(instrument), false, headers);
  if (id.empty()) return {};
  const auto p = wait_settled(c, id, headers);
  EXPECT_EQ(p.at("status"), "SUCCESS") << json::serialize(p);
  EXPECT_EQ(p.at("captured"), true) << json::serialize(p);
  return id;
}

}  // namespace paygate::test
