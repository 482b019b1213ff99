#include "api/payments.h"

#include <charconv>

#include "api/auth.h"
#include "api/authentication.h"
#include "api/body.h"
#include "api/idempotent.h"
#include "api/paging.h"
#include "api/parsers.h"
#include "core/instrument.h"
#include "core/refund.h"
#include "core/sandbox_outcome.h"

namespace paygate::api {

namespace asio = boost::asio;
using http::Reply;
using http::Request;

namespace {

// A card field given as a JSON string or a whole JSON number, as text. A
// negative expiry or CVV keeps its sign, so that the card rules judge it as
// they judge the same text in a string (a month of -1 is EXPIRED_CARD, not a
// type error); a negative card number stays a type error (its '-' would be
// taken for a separator).
Result<std::optional<std::string>> digits_field(const boost::json::object& o, std::string_view key,
                                                std::string_view field, bool negative_ok) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_int64() && (negative_ok || v->get_int64() >= 0)) {
    return std::to_string(v->get_int64());
  }
  if (v->is_uint64()) return std::to_string(v->get_uint64());
  return fail(
      Error::bad_request(std::string(field) + " must be a string of digits", std::string(field)));
}

// The flat shape names its fields card_number, expiry_month, ...; the nested
// one card.number, card.expiry_month, ...
struct CardShape {
  const boost::json::object* object;
  std::string_view number_key;
  std::string_view prefix;  // "card." or ""
};

Result<CardInput> parse_card(const CardShape& shape) {
  CardInput card;
  struct Field {
    std::string_view key;
    std::string* target;
  };
  const Field fields[] = {{shape.number_key, &card.number},
                          {"expiry_month", &card.expiry_month},
                          {"expiry_year", &card.expiry_year},
                          {"cvv", &card.cvv}};
  for (const auto& f : fields) {
    const std::string name = std::string(shape.prefix) + std::string(f.key);
    auto v = digits_field(*shape.object, f.key, name, f.target != &card.number);
    if (!v) return fail(v.error());
    if (!*v) return fail(Error::bad_request(name + " is required", name));
    *f.target = std::move(**v);
  }
  auto name = optional_string(*shape.object, "name");
  if (!name) return fail(name.error());
  card.name = std::move(*name);
  return card;
}

Result<NewPayment> parse_new_payment(const boost::json::object& body, bool& flat_card) {
  NewPayment p;
  auto order_id = optional_string(body, "order_id");
  if (!order_id) return fail(order_id.error());
  if (!*order_id || (*order_id)->empty()) {
    return fail(Error::bad_request("order_id is required", "order_id"));
  }
  p.order_id = std::move(**order_id);
  auto method = optional_string(body, "method");
  if (!method) return fail(method.error());
  if (!*method) return fail(Error::bad_request("method is required", "method"));
  p.method = std::move(**method);
  auto amount = optional_int(body, "amount");
  if (!amount) return fail(amount.error());
  p.amount = *amount;
  auto currency = optional_string(body, "currency");
  if (!currency) return fail(currency.error());
  p.currency = std::move(*currency);
  auto vpa = optional_string(body, "vpa");
  if (!vpa) return fail(vpa.error());
  p.vpa = std::move(*vpa);

  if (p.method == kMethodCard) {
    auto nested = optional_object(body, "card");
    if (!nested) return fail(nested.error());
    Result<CardInput> card = fail(Error::bad_request("card is required", "card"));
    if (*nested) {
      card = parse_card({&**nested, "number", "card."});
    } else if (body.contains("card_number")) {
      flat_card = true;
      card = parse_card({&body, "card_number", ""});
    }
    if (!card) return fail(card.error());
    p.card = std::move(*card);
  }
  return p;
}

// Errors about the card name the fields as the request did.
Error rename_card_field(Error e, bool flat_card) {
  if (flat_card && e.field.starts_with("card.")) {
    e.field = e.field == "card.number" ? "card_number" : e.field.substr(5);
  }
  return e;
}

Reply payment_reply(int status, const Payment& p) {
  JsonWriter w(512);
  write_payment(w, p);
  return Reply{status, w.take(), "application/json", {}};
}

// X-Paygate-Test-Outcome, when sent: refused outside test mode, where no
// request may script what the acquirer answers.
Result<std::optional<std::string>> test_outcome_header(const Services& s, const Request& req) {
  const auto given = req.find_header(kTestOutcomeHeader);
  if (!given) return std::optional<std::string>();
  if (!s.config.test_mode) {
    return fail(Error::bad_request(std::string(kTestOutcomeHeader) +
                                       " is accepted in test mode only (paygate serve "
                                       "--test-mode); this server is not in test mode",
                                   std::string(kTestOutcomeHeader)));
  }
  return std::optional<std::string>(std::string(*given));
}

// Parses the payment in body and creates it for m; test_outcome: the
// request's X-Paygate-Test-Outcome (merchant payments only).
asio::awaitable<Result<Payment>> create_from(const Services& s, const Request& req,
                                             const Merchant& m,
                                             const Result<boost::json::object>& body,
                                             bool auto_capture, const TxnHook<Payment>& hook,
                                             std::optional<std::string> test_outcome = {}) {
  if (!body) co_return fail(body.error());
  bool flat_card = false;
  auto input = parse_new_payment(*body, flat_card);
  if (!input) co_return fail(rename_card_field(std::move(input.error()), flat_card));
  input->test_outcome = std::move(test_outcome);
  input->page_base_url = page_base_url(s.config, req);
  auto payment = co_await s.payments.create(m, std::move(*input), auto_capture, hook);
  if (!payment) co_return fail(rename_card_field(std::move(payment.error()), flat_card));
  co_return std::move(*payment);
}

asio::awaitable<Result<Reply>> create_payment(const Services& s, const Request& req) {
  auto merchant = co_await authenticate_merchant(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  auto test_outcome = test_outcome_header(s, req);
  if (!test_outcome) co_return fail(std::move(test_outcome.error()));
  const auto body = parse_json_object(req.body);
  co_return co_await idempotent<Payment>(
      s, req, merchant->id,
      [&](const TxnHook<Payment>& hook) {
        return create_from(s, req, *merchant, body, false, hook, *test_outcome);
      },
      [](const Payment& p) { return payment_reply(201, p); });
}

asio::awaitable<Result<Reply>> create_public_payment(const Services& s, const Request& req) {
  const auto body = parse_json_object(req.body);
  if (!body) co_return fail(body.error());
  auto merchant = co_await resolve_public_merchant(s, req, &*body);
  if (!merchant) co_return fail(std::move(merchant.error()));
  co_return co_await idempotent<Payment>(
      s, req, merchant->id,
      [&](const TxnHook<Payment>& hook) {
        return create_from(s, req, *merchant, body, true, hook);
      },
      [](const Payment& p) { return payment_reply(201, p); });
}

asio::awaitable<Result<Reply>> get_payment(const Services& s, const Request& req) {
  auto merchant = co_await authenticate_merchant(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  auto payment = co_await s.payments.get(*merchant, req.param(0));
  if (!payment) co_return fail(std::move(payment.error()));
  co_return payment_reply(200, *payment);
}

asio::awaitable<Result<Reply>> get_public_payment(const Services& s, const Request& req) {
  auto payment = co_await s.payments.get_public(req.param(0));
  if (!payment) co_return fail(std::move(payment.error()));
  // No key is needed here, only the payment id: the shopper's VPA (often a
  // phone number) is shown masked, enough to recognise as one's own.
  if (payment->vpa) payment->vpa = mask_vpa(*payment->vpa);
  // Nor can the id alone answer the shopper's authentication step: the
  // page's URL (and its token) is in the answer that made the payment.
  payment->authentication_url.reset();
  co_return payment_reply(200, *payment);
}

asio::awaitable<Result<Reply>> capture_payment(const Services& s, const Request& req) {
  auto merchant = co_await authenticate_merchant(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  co_return co_await idempotent<Payment>(
      s, req, merchant->id,
      [&](const TxnHook<Payment>& hook) -> asio::awaitable<Result<Payment>> {
        if (!req.body.empty()) {
          // The body is optional; when given it must still be a JSON object.
          auto body = parse_json_object(req.body);
          if (!body) co_return fail(std::move(body.error()));
        }
        co_return co_await s.payments.capture(*merchant, req.param(0), hook);
      },
      [](const Payment& p) { return payment_reply(200, p); });
}

asio::awaitable<Result<Reply>> list_payments(const Services& s, const Request& req) {
  auto merchant = co_await authenticate_merchant(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  auto window = parse_page_window(req);
  if (!window) co_return fail(std::move(window.error()));
  PaymentPage page;
  page.window = *window;
  page.order_id = req.query_param("order_id").value_or("");
  page.status = req.query_param("status").value_or("");
  page.method = req.query_param("method").value_or("");
  auto payments = co_await s.payments.list(*merchant, std::move(page));
  if (!payments) co_return fail(std::move(payments.error()));
  JsonWriter w(256 + payments->size() * 480);
  w.begin_object();
  w.field("entity", "collection");
  w.field("count", static_cast<std::int64_t>(payments->size()));
  w.key("items").begin_array();
  for (const auto& p : *payments) write_payment(w, p);
  w.end_array().end_object();
  co_return Reply{200, w.take(), "application/json", {}};
}

}  // namespace

void add_payment_routes(http::Router& router, const Services& s) {
  using http::Method;
  const Services* sp = &s;
  router.add(Method::post, "/api/v1/payments",
             [sp](const Request& r) { return create_payment(*sp, r); });
  router.add(Method::get, "/api/v1/payments",
             [sp](const Request& r) { return list_payments(*sp, r); });
  router.add(Method::get, "/api/v1/payments/{id}",
             [sp](const Request& r) { return get_payment(*sp, r); });
  router.add(Method::post, "/api/v1/payments/{id}/capture",
             [sp](const Request& r) { return capture_payment(*sp, r); });
  router.add(Method::post, "/api/v1/payments/public",
             [sp](const Request& r) { return create_public_payment(*sp, r); });
  router.add(Method::get, "/api/v1/payments/public/{id}",
             [sp](const Request& r) { return get_public_payment(*sp, r); });
}

// For the fuzz targets (api/parsers.h).
namespace parsers {
Result<NewPayment> new_payment(const boost::json::object& body, bool& flat_card) {
  return parse_new_payment(body, flat_card);
}
}  // namespace parsers

}  // namespace paygate::api
