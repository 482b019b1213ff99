#include "core/idempotency.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <vector>

#include "core/crypto.h"
#include "core/processor.h"
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

// What stands for a card number in a fingerprint: its keyed card fingerprint
// (as the payment keeps it), over the digits a payment would take from it.
json::value card_number_stand_in(const DataKeys& keys, const json::value& number) {
  std::string digits;
  if (const auto* text = number.if_string()) {
    for (const char c : *text) {
      if (c != ' ' && c != '-') digits.push_back(c);
    }
  } else if (number.is_int64() || number.is_uint64()) {
    digits = json::serialize(number);
  } else {
    return json::value("<not a card number>");
  }
  return json::value(card_fingerprint(keys.card_fingerprint, digits));
}

// Both shapes of a card payment: {"card": {"number", "cvv", ...}} and the flat
// {"card_number", "cvv", ...}.
void redact_card(const DataKeys& keys, json::object& body) {
  if (auto* card = body.if_contains("card"); card != nullptr && card->is_object()) {
    auto& o = card->get_object();
    if (auto* number = o.if_contains("number")) *number = card_number_stand_in(keys, *number);
    o.erase("cvv");
  }
  if (auto* number = body.if_contains("card_number")) {
    *number = card_number_stand_in(keys, *number);
  }
  body.erase("cvv");
}

bool same_request(std::string_view stored_fingerprint, const IdempotencyKey& key) {
  return stored_fingerprint == key.fingerprint ||
         (!key.previous_fingerprint.empty() && stored_fingerprint == key.previous_fingerprint);
}

std::string answer_context(const IdempotencyKey& key) {
  return "idempotent answer " + key.merchant_id + "\n" + key.key;
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

std::string request_fingerprint(const DataKeys& keys, std::string_view method,
                                std::string_view path, std::string_view body) {
  std::string material;
  material.reserve(method.size() + path.size() + body.size() + 2);
  material.append(method).push_back('\n');
  material.append(path).push_back('\n');
  boost::system::error_code ec;
  json::value parsed = body.empty() ? json::value() : json::parse(body, ec);
  if (body.empty()) {
    // No body and an empty one are the same request.
  } else if (ec) {
    material.append("<not JSON>");
  } else {
    if (auto* o = parsed.if_object()) redact_card(keys, *o);
    write_canonical(material, parsed);
  }
  return hmac_sha256_hex(keys.idempotency, material);
}

IdempotencyKey IdempotencyService::key_for(std::string_view merchant_id, std::string_view header,
                                           std::string_view method, std::string_view path,
                                           std::string_view body) const {
  const KeyRing& keys = box_.keys();
  IdempotencyKey key{std::string(merchant_id),
                     std::string(header),
                     request_fingerprint(keys.current, method, path, body),
                     {}};
  if (keys.previous) {
    key.previous_fingerprint = request_fingerprint(*keys.previous, method, path, body);
  }
  return key;
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
        (!stored.done && stored.locked_until < now && same_request(stored.fingerprint, key))) {
      auto s = store::restart_idempotency_key(c, key.merchant_id, key.key, stored, key.fingerprint,
                                              locked_until, now, now + ttl_);
      if (!s) return fail(s.error());
      return IdempotencyClaim{Outcome::owned, 0, {}, locked_until};
    }
    if (!same_request(stored.fingerprint, key))
      return IdempotencyClaim{Outcome::mismatch, 0, {}, 0};
    if (!stored.done) return IdempotencyClaim{Outcome::in_flight, 0, {}, 0};
    auto body = box_.open(stored.response_body, answer_context(key));
    if (!body) return fail(body.error());
    return IdempotencyClaim{Outcome::replay, static_cast<int>(stored.response_status),
                            std::move(*body), 0};
  });
}

Status IdempotencyService::record_in(store::Connection& conn, const IdempotencyKey& key,
                                     Micros token, int status, std::string_view body) const {
  const std::string sealed = box_.seal(body, answer_context(key));
  auto completed =
      store::complete_idempotency_key(conn, key.merchant_id, key.key, token, status, sealed);
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
