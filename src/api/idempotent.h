// Runs a POST use case under the request's Idempotency-Key, when it has one:
// the first answer is recorded in the use case's own transaction and replayed
// byte for byte (with Idempotent-Replayed: true) to every retry.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>

#include "api/services.h"
#include "core/idempotency.h"
#include "core/txn_hook.h"
#include "http/request.h"

namespace paygate::api {

// What a claimed key answers without running the use case: a replay, a 409
// or a 422. Nothing when this request owns the key and must run.
// Errors in req's dialect.
std::optional<http::Reply> answer_without_running(const IdempotencyClaim& claim,
                                                  const http::Request& req);

// run: (const TxnHook<T>&) -> awaitable<Result<T>>, the use case (parse the
// body, call the service, which runs the hook inside its transaction).
// render: (const T&) -> http::Reply.
template <class T, class Run, class Render>
boost::asio::awaitable<Result<http::Reply>> idempotent(const Services& s, const http::Request& req,
                                                       std::string_view merchant_id, Run run,
                                                       Render render) {
  const auto header = req.find_header("Idempotency-Key");
  if (!header) {
    auto result = co_await run(TxnHook<T>{});
    if (!result) co_return fail(std::move(result.error()));
    co_return render(*result);
  }
  if (auto valid = validate_idempotency_key(*header); !valid) co_return fail(valid.error());
  const IdempotencyKey key =
      s.idempotency.key_for(merchant_id, *header, http::to_string(req.method), req.path, req.body);
  auto claim = co_await s.idempotency.claim(key);
  if (!claim) co_return fail(std::move(claim.error()));
  if (auto answer = answer_without_running(*claim, req)) co_return std::move(*answer);

  std::optional<http::Reply> rendered;
  const Micros token = claim->token;
  const TxnHook<T> record = [&](store::Connection& c, const T& value) -> Status {
    rendered = render(value);
    return s.idempotency.record_in(c, key, token, rendered->status, rendered->body);
  };
  auto result = co_await run(record);
  if (result) co_return rendered ? std::move(*rendered) : render(*result);

  const Error& e = result.error();
  if (e.code == ErrorCode::idempotency) {
    // This request ran past its lock and the key was taken over: its work was
    // rolled back with the answer it could not record; the new holder answers.
    co_return *answer_without_running(
        IdempotencyClaim{IdempotencyClaim::Outcome::in_flight, 0, {}, 0}, req);
  }
  if (e.http_status >= 500) {
    // Our own fault: give the key up, so that a retry can succeed.
    (void)co_await s.idempotency.release(key, token);
    co_return fail(std::move(result.error()));
  }
  http::Reply refused = http::error_reply(e, req);
  if (auto s2 = co_await s.idempotency.record(key, token, refused.status, refused.body); !s2) {
    (void)co_await s.idempotency.release(key, token);
  }
  co_return refused;
}

}  // namespace paygate::api
