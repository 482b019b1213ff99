// The steps many end-to-end tests take: a merchant, an order, a payment that
// settles, a captured payment. Each fails the calling test when a step does.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "harness.h"

namespace paygate::test {

inline constexpr std::int64_t kOrderAmount = 50000;

// POST /orders for amount; the order's id.
std::string create_order(HttpClient& c, const Headers& headers = demo_auth(),
                         std::int64_t amount = kOrderAmount);

boost::json::object upi(std::string_view vpa = "success@upi");
boost::json::object card(std::string_view number, std::string_view cvv = "123");

// A new order and a payment on it with this instrument, through the public
// (auto-captured) endpoint or the merchant one; the payment's id.
std::string start_payment(HttpClient& c, boost::json::object instrument,
                          bool merchant_endpoint = false, const Headers& headers = demo_auth());

std::string payment_path(std::string_view id);
boost::json::object get_payment(HttpClient& c, std::string_view id,
                                const Headers& headers = demo_auth());
bool is_settled(const boost::json::object& p);
// Polls GET /payments/{id} until the payment is SUCCESS or FAILED; the last object seen.
boost::json::object wait_settled(HttpClient& c, std::string_view id,
                                 const Headers& headers = demo_auth(),
                                 std::chrono::milliseconds timeout = std::chrono::seconds(10));
// A SUCCESS, captured payment of kOrderAmount (UPI unless instrument says otherwise).
std::string captured_payment(HttpClient& c, const Headers& headers = demo_auth(),
                             boost::json::object instrument = upi());

}  // namespace paygate::test
