#include "api/test_reset.h"

#include "api/auth.h"
#include "api/body.h"
#include "core/json_writer.h"
#include "core/sandbox_reset.h"

namespace paygate::api {

namespace asio = boost::asio;
using http::Reply;
using http::Request;

namespace {

// The merchant's orders, payments, refunds, events, deliveries, idempotency
// keys and their jobs, deleted; what was deleted, counted. Not under an
// Idempotency-Key: the reset deletes the keys, and a second reset is harmless.
asio::awaitable<Result<Reply>> reset(const Services& s, const Request& req) {
  auto merchant = co_await authenticate_merchant(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  if (!req.body.empty()) {
    // No fields; when a body is sent it must still be a JSON object.
    auto body = parse_json_object(req.body);
    if (!body) co_return fail(std::move(body.error()));
  }
  auto counts = co_await reset_merchant(s.db, *merchant);
  if (!counts) co_return fail(std::move(counts.error()));
  JsonWriter w(320);
  w.begin_object().field("merchant_id", std::string_view(merchant->id));
  w.key("deleted")
      .begin_object()
      .field("orders", counts->orders)
      .field("payments", counts->payments)
      .field("refunds", counts->refunds)
      .field("events", counts->events)
      .field("webhook_deliveries", counts->webhook_deliveries)
      .field("webhook_attempts", counts->webhook_attempts)
      .field("idempotency_keys", counts->idempotency_keys)
      .field("jobs", counts->jobs)
      .end_object();
  w.end_object();
  co_return Reply{200, w.take(), "application/json", {}};
}

}  // namespace

void add_test_reset_routes(http::Router& router, const Services& s) {
  const Services* sp = &s;
  router.add(http::Method::post, "/api/v1/test/reset",
             [sp](const Request& r) { return reset(*sp, r); });
}

}  // namespace paygate::api
