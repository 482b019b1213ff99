#include "api/authentication.h"

#include <algorithm>

#include "api/body.h"
#include "api/web.h"
#include "core/instrument.h"
#include "core/json_writer.h"

namespace paygate::api {

namespace asio = boost::asio;
using http::Reply;
using http::Request;

namespace {

// A Host header fit to be put in a URL: a name or address and a port.
bool is_host(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  return std::ranges::all_of(host, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == ':' || c == '[' || c == ']';
  });
}

// What the page shows and acts on. error: what was wrong with the answer
// just given (INCORRECT_OTP), else the payment's failure once the step failed it.
Reply authentication_reply(const Payment& p, std::string_view merchant_name,
                           const std::optional<std::string>& error_code = {},
                           const std::optional<std::string>& error_description = {}) {
  JsonWriter w(512);
  w.begin_object();
  w.field("payment_id", std::string_view(p.id));
  w.field("type", p.next_action_type());
  w.field("status", std::string_view(p.authentication_status.value_or("")));
  if (p.method == kMethodCard) {
    w.field("attempts_left", std::max<std::int64_t>(0, kOtpAttempts - p.authentication_failures));
  } else {
    w.key("attempts_left").null();
  }
  if (p.authentication_expires_at) w.key("expires_at").timestamp(*p.authentication_expires_at);
  w.field("merchant_name", merchant_name);
  w.field("amount", p.amount);
  w.field("currency", std::string_view(p.currency));
  w.field("method", std::string_view(p.method));
  if (p.method == kMethodUpi) {
    // Whoever holds the page's URL sees the VPA as the public status does.
    w.field("vpa", p.vpa ? std::optional<std::string>(mask_vpa(*p.vpa)) : std::nullopt);
  } else {
    w.field("card_network", p.card_network);
    w.field("card_last4", p.card_last4);
  }
  w.field("payment_status", std::string_view(p.status));
  const bool answer_error = error_code.has_value();
  if (answer_error || p.status == kPaymentFailed) {
    w.key("error").begin_object();
    w.field("code", answer_error ? error_code : p.error_code);
    w.field("description", answer_error ? error_description : p.error_description);
    w.end_object();
  } else {
    w.key("error").null();
  }
  w.end_object();
  return Reply{200, w.take(), "application/json", {}};
}

asio::awaitable<std::string> merchant_name_of(const Services& s, const Payment& p) {
  auto m = co_await s.merchants.by_id(p.merchant_id);
  co_return m ? m->name : std::string();
}

asio::awaitable<Result<Reply>> get_authentication(const Services& s, const Request& req) {
  const auto token = req.query_param("token").value_or("");
  auto payment = co_await s.payments.authentication(req.param(0), token);
  if (!payment) co_return fail(std::move(payment.error()));
  co_return authentication_reply(*payment, co_await merchant_name_of(s, *payment));
}

// {"token", "action": "approve" | "reject", "otp"}: a card's approval carries the OTP.
asio::awaitable<Result<Reply>> answer_authentication(const Services& s, const Request& req) {
  auto body = parse_json_object(req.body);
  if (!body) co_return fail(std::move(body.error()));
  auto token = optional_string(*body, "token");
  if (!token) co_return fail(std::move(token.error()));
  auto action = optional_string(*body, "action");
  if (!action) co_return fail(std::move(action.error()));
  auto otp = optional_string(*body, "otp");
  if (!otp) co_return fail(std::move(otp.error()));
  if (!*action || (**action != "approve" && **action != "reject")) {
    co_return fail(Error::bad_request("action must be approve or reject", "action"));
  }
  AuthenticationAnswer answer{**action == "approve", std::move(*otp)};
  // The token may come in the body or, as in the page's URL, the query.
  const std::string given = token->value_or(req.query_param("token").value_or(""));
  auto result = co_await s.payments.authenticate(req.param(0), given, std::move(answer));
  if (!result) co_return fail(std::move(result.error()));
  co_return authentication_reply(result->payment, co_await merchant_name_of(s, result->payment),
                                 result->error_code, result->error_description);
}

}  // namespace

std::string page_base_url(const Config& config, const Request& req) {
  if (!config.public_url.empty()) return config.public_url;
  const std::string_view host = req.header("Host");
  if (is_host(host)) return "http://" + std::string(host);
  return "http://" + config.listen_host + ":" + std::to_string(config.listen_port);
}

void add_authentication_routes(http::Router& router, const Services& s) {
  const Services* sp = &s;
  router.add(http::Method::get, "/api/v1/payments/public/{id}/authentication",
             [sp](const Request& r) { return get_authentication(*sp, r); });
  router.add(http::Method::post, "/api/v1/payments/public/{id}/authentication",
             [sp](const Request& r) { return answer_authentication(*sp, r); });
}

void add_authentication_page(http::Router& router) {
  // One page for every payment: it reads the payment and token from its URL.
  add_page(router, "/authenticate/{id}", "/pages/authenticate.html");
}

}  // namespace paygate::api
