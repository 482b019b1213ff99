#include "core/idempotency.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <vector>

#include "core/crypto.h"
#include "store/async.h"
#include "store/idempotency_repository.h"

namespace paygate {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

void write_canonical(std::string& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::object: {
      const auto& o = v.get_object();
      std::vector<const json::key_value_pair*> fields;
      fields.reserve(o.size());
      for (const auto& kv : o) fields.push_back(&kv);
      std::sort(fields.begin(), fields.end(),
                [](const auto* a, const auto* b) { return a->key() < b->key(); });
      out.push_back('{');
      for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) out.push_back(',');
        out += json::serialize(json::string(fields[i]->key()));
        out.push_back(':');
        write_canonical(out, fields[i]->value());
      }
      out.push_back('}');
      return;
    }
    case json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        write_canonical(out, e);
      }
      out.push_back(']');
      return;
    }
    default:
      out += json::serialize(v);
  }
}

}  // namespace

Status validate_idempotency_key(std::string_view key) {
  if (key.empty() || key.size() > kMaxIdempotencyKeyLength) {
    return fail(
        Error::bad_request("Idempotency-Key must be 1 to 255 characters", "Idempotency-Key"));
  }
  for (char c : key) {
    if (c < 0x20 || c > 0x7e) {
      return fail(Error::bad_request("Idempotency-Key must be printable ASCII", "Idempotency-Key"));
    }
  }
  return {};
}

std::string request_fingerprint(std::string_view method, std::string_view path,
                                std::string_view body) {
  std::string material;
  material.reserve(method.size() + path.size() + body.size() + 2);
  material.append(method).push_back('\n');
  material.append(path).push_back('\n');
  boost::system::error_code ec;
  const json::value parsed = body.empty() ? json::value() : json::parse(body, ec);
  if (body.empty()) {
    // No body and an empty one are the same request.
  } else if (ec) {
    material.append(body);
  } else {
    write_canonical(material, parsed);
  }
  return sha256_hex(material);
}

asio::awaitable<Result<IdempotencyClaim>> IdempotencyService::claim(const IdempotencyKey& key) {
  co_return co_await store::write(db_, [&](store::Connection& c) -> Result<IdempotencyClaim> {
    using Outcome = IdempotencyClaim::Outcome;
    const Micros now = now_micros();
    const Micros locked_until = now + lock_timeout_;
    auto inserted = store::insert_idempotency_key(c, key.merchant_id, key.key, key.fingerprint,
                                                  locked_until, now, now + ttl_);
    if (!inserted) return fail(inserted.error());
    if (*inserted) return IdempotencyClaim{Outcome::owned, 0, {}, locked_until};

    auto found = store::find_idempotency_key(c, key.merchant_id, key.key);
    if (!found) return fail(found.error());
    if (!*found) return fail(Error::internal("idempotency key vanished inside a transaction"));
    const auto& stored = **found;
    // Past its retention the key is new again; a running key whose holder
    // went silent (a crash before it committed) is taken over.
    const bool expired = stored.expires_at < now;
    if (expired ||
        (!stored.done && stored.locked_until < now && stored.fingerprint == key.fingerprint)) {
      auto s = store::restart_idempotency_key(c, key.merchant_id, key.key, stored, key.fingerprint,
                                              locked_until, now, now + ttl_);
      if (!s) return fail(s.error());
      return IdempotencyClaim{Outcome::owned, 0, {}, locked_until};
    }
    if (stored.fingerprint != key.fingerprint) return IdempotencyClaim{Outcome::mismatch, 0, {}, 0};
    if (!stored.done) return IdempotencyClaim{Outcome::in_flight, 0, {}, 0};
    return IdempotencyClaim{Outcome::replay, static_cast<int>(stored.response_status),
                            stored.response_body, 0};
  });
}

Status IdempotencyService::record_in(store::Connection& conn, const IdempotencyKey& key,
                                     Micros token, int status, std::string_view body) const {
  auto completed =
      store::complete_idempotency_key(conn, key.merchant_id, key.key, token, status, body);
  if (!completed) return fail(completed.error());
  if (!*completed) {
    return fail(Error::with_status(ErrorCode::idempotency, 409,
                                   "a request with this Idempotency-Key is still in progress",
                                   "Idempotency-Key"));
  }
  return {};
}

asio::awaitable<Status> IdempotencyService::record(const IdempotencyKey& key, Micros token,
                                                   int status, std::string body) {
  co_return co_await store::write(
      db_, [&](store::Connection& c) { return record_in(c, key, token, status, body); });
}

asio::awaitable<Status> IdempotencyService::release(const IdempotencyKey& key, Micros token) {
  co_return co_await store::write(db_, [&](store::Connection& c) {
    return store::delete_idempotency_key(c, key.merchant_id, key.key, token);
  });
}

// In chunks, each a write of its own: one DELETE of a large backlog would hold
// SQLite's writer (every other write waits) or run past PostgreSQL's statement
// timeout and be rolled back at every purge.
asio::awaitable<Status> IdempotencyService::purge_expired() {
  constexpr std::int64_t kChunk = 1000;
  const Micros now = now_micros();
  for (;;) {
    auto deleted = co_await store::write(db_, [&](store::Connection& c) {
      return store::delete_expired_idempotency_keys(c, now, kChunk);
    });
    if (!deleted) co_return fail(std::move(deleted.error()));
    if (*deleted < kChunk) co_return Status{};
  }
}

}  // namespace paygate
