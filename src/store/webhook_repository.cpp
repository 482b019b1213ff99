#include "store/webhook_repository.h"

#include "store/stats_repository.h"

namespace paygate::store {

namespace {

#define PAYGATE_WEBHOOK_COLUMNS                                                        \
  "id, merchant_id, url, secret, previous_secret, previous_secret_expires_at, events," \
  " active, created_at, updated_at, version, format"
#define PAYGATE_DELIVERY_COLUMNS                                                        \
  "id, merchant_id, webhook_id, event_id, event_type, status, attempts, response_code," \
  " response_body, next_attempt_at, created_at, updated_at, version"

constexpr Sql kInsertWebhook{"INSERT INTO webhook_endpoints (" PAYGATE_WEBHOOK_COLUMNS
                             ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"};
constexpr Sql kUpdateWebhook{
    "UPDATE webhook_endpoints SET url = $2, secret = $3, previous_secret = $4,"
    " previous_secret_expires_at = $5, events = $6, active = $7, updated_at = $8, version = $9,"
    " format = $11 WHERE id = $1 AND version = $10"};
constexpr Sql kDeleteWebhook{"DELETE FROM webhook_endpoints WHERE id = $1 AND merchant_id = $2"};
constexpr Sql kFindWebhook{"SELECT " PAYGATE_WEBHOOK_COLUMNS
                           " FROM webhook_endpoints WHERE id = $1 AND merchant_id = $2"};
constexpr Sql kFindWebhookAny{"SELECT " PAYGATE_WEBHOOK_COLUMNS
                              " FROM webhook_endpoints WHERE id = $1"};
constexpr Sql kListWebhooks{"SELECT " PAYGATE_WEBHOOK_COLUMNS
                            " FROM webhook_endpoints WHERE merchant_id = $1"
                            " ORDER BY created_at, id"};
constexpr Sql kListSubscriptions{
    "SELECT id, format, events FROM webhook_endpoints WHERE merchant_id = $1 AND active = 1"
    " ORDER BY created_at, id"};
constexpr Sql kListSecrets{"SELECT id, secret, previous_secret FROM webhook_endpoints"};
constexpr Sql kReplaceSecrets{
    "UPDATE webhook_endpoints SET secret = $3, previous_secret = $4, version = version + 1"
    " WHERE id = $1 AND secret = $2"};
constexpr Sql kCountWebhooks{"SELECT count(*) FROM webhook_endpoints WHERE merchant_id = $1"};
// PostgreSQL runs writes side by side: the merchant's row lock makes
// count-then-insert one at a time per merchant (SQLite has one writer anyway).
constexpr Sql kLockMerchantPostgres{"SELECT id FROM merchants WHERE id = $1 FOR UPDATE"};

constexpr Sql kInsertEvent{
    "INSERT INTO events (id, merchant_id, type, payload, created_at, format, seq, object_id)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"};
constexpr Sql kFindEvent{
    "SELECT id, merchant_id, type, payload, created_at, format, seq, object_id"
    " FROM events WHERE id = $1"};

constexpr Sql kInsertDelivery{"INSERT INTO webhook_deliveries (" PAYGATE_DELIVERY_COLUMNS
                              ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"};
constexpr Sql kUpdateDelivery{
    "UPDATE webhook_deliveries SET status = $2, attempts = $3, response_code = $4,"
    " response_body = $5, next_attempt_at = $6, updated_at = $7, version = $8"
    " WHERE id = $1 AND version = $9"};
constexpr Sql kFindDelivery{"SELECT " PAYGATE_DELIVERY_COLUMNS
                            " FROM webhook_deliveries WHERE id = $1 AND merchant_id = $2"};
constexpr Sql kFindDeliveryAny{"SELECT " PAYGATE_DELIVERY_COLUMNS
                               " FROM webhook_deliveries WHERE id = $1"};
constexpr Sql kListDeliveries{
    "SELECT " PAYGATE_DELIVERY_COLUMNS
    " FROM webhook_deliveries WHERE merchant_id = $1 AND created_at >= $2 AND created_at <= $3"
    " AND ($6 = '' OR webhook_id = $6) AND ($7 = '' OR event_type = $7)"
    " AND ($8 = '' OR status = $8) AND ($9 = '' OR event_id = $9)"
    " ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5"};

constexpr Sql kInsertAttempt{
    "INSERT INTO webhook_attempts (id, delivery_id, number, attempted_at, response_code,"
    " duration_ms, error, response_body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"};

constexpr Sql kListAttempts{
    "SELECT id, delivery_id, number, attempted_at, response_code, duration_ms, error,"
    " response_body FROM webhook_attempts WHERE delivery_id = $1 ORDER BY number, attempted_at"};

#undef PAYGATE_WEBHOOK_COLUMNS
#undef PAYGATE_DELIVERY_COLUMNS

// Events are stored as a comma-separated list: the names have no commas.
std::string join_events(const std::vector<std::string>& events) {
  std::string out;
  for (const auto& e : events) {
    if (!out.empty()) out.push_back(',');
    out += e;
  }
  return out;
}
std::vector<std::string> split_events(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const auto comma = s.find(',');
    out.emplace_back(s.substr(0, comma));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

WebhookEndpoint webhook_from_row(const Row& r) {
  WebhookEndpoint w;
  w.id = r.string(0);
  w.merchant_id = r.string(1);
  w.url = r.string(2);
  w.secret = r.string(3);
  w.previous_secret = r.optional_string(4);
  w.previous_secret_expires_at = r.optional_int64(5);
  w.events = split_events(r.text(6));
  w.active = r.int64(7) != 0;
  w.created_at = r.int64(8);
  w.updated_at = r.int64(9);
  w.version = r.int64(10);
  w.format = r.string(11);
  return w;
}

// What the database keeps of a secret: sealed, bound to its endpoint and column.
std::string secret_context(std::string_view id) {
  return "webhook secret " + std::string(id);
}
std::string previous_secret_context(std::string_view id) {
  return "webhook previous secret " + std::string(id);
}

// w as read, its secrets opened.
Result<WebhookEndpoint> opened(const SecretBox& box, WebhookEndpoint w) {
  auto secret = box.open(w.secret, secret_context(w.id));
  if (!secret) return fail(secret.error());
  w.secret = std::move(*secret);
  if (w.previous_secret) {
    auto previous = box.open(*w.previous_secret, previous_secret_context(w.id));
    if (!previous) return fail(previous.error());
    w.previous_secret = std::move(*previous);
  }
  return w;
}

Result<std::optional<WebhookEndpoint>> opened(const SecretBox& box,
                                              Result<std::optional<WebhookEndpoint>> found) {
  if (!found || !*found) return found;
  auto w = opened(box, std::move(**found));
  if (!w) return fail(w.error());
  return std::optional<WebhookEndpoint>(std::move(*w));
}

Delivery delivery_from_row(const Row& r) {
  Delivery d;
  d.id = r.string(0);
  d.merchant_id = r.string(1);
  d.webhook_id = r.string(2);
  d.event_id = r.string(3);
  d.event_type = r.string(4);
  d.status = r.string(5);
  d.attempts = r.int64(6);
  d.response_code = r.optional_string(7);
  d.response_body = r.optional_string(8);
  d.next_attempt_at = r.optional_int64(9);
  d.created_at = r.int64(10);
  d.updated_at = r.int64(11);
  d.version = r.int64(12);
  return d;
}

}  // namespace

Status insert_webhook(Connection& conn, const SecretBox& box, const WebhookEndpoint& w) {
  const std::string events = join_events(w.events);
  const std::string secret = box.seal(w.secret, secret_context(w.id));
  std::optional<std::string> previous;
  if (w.previous_secret) previous = box.seal(*w.previous_secret, previous_secret_context(w.id));
  const Param params[] = {w.id,
                          w.merchant_id,
                          w.url,
                          secret,
                          nullable(previous),
                          nullable(w.previous_secret_expires_at),
                          events,
                          std::int64_t{w.active},
                          w.created_at,
                          w.updated_at,
                          w.version,
                          w.format};
  return to_status(conn.execute(kInsertWebhook, params));
}

Status update_webhook(Connection& conn, const SecretBox& box, WebhookEndpoint& w) {
  const std::string events = join_events(w.events);
  const std::string secret = box.seal(w.secret, secret_context(w.id));
  std::optional<std::string> previous;
  if (w.previous_secret) previous = box.seal(*w.previous_secret, previous_secret_context(w.id));
  const Param params[] = {w.id,
                          w.url,
                          secret,
                          nullable(previous),
                          nullable(w.previous_secret_expires_at),
                          events,
                          std::int64_t{w.active},
                          w.updated_at,
                          w.version + 1,
                          w.version,
                          w.format};
  if (auto s = expect_one_updated(conn.execute(kUpdateWebhook, params), "webhook " + w.id); !s) {
    return s;
  }
  ++w.version;
  return {};
}

Result<bool> delete_webhook(Connection& conn, std::string_view merchant_id, std::string_view id) {
  const Param params[] = {id, merchant_id};
  auto r = conn.execute(kDeleteWebhook, params);
  if (!r) return fail(r.error());
  return *r > 0;
}

Result<std::optional<WebhookEndpoint>> find_webhook(Connection& conn, const SecretBox& box,
                                                    std::string_view merchant_id,
                                                    std::string_view id) {
  const Param params[] = {id, merchant_id};
  return opened(box, query_one(conn, kFindWebhook, params, webhook_from_row));
}

Result<std::optional<WebhookEndpoint>> find_webhook_any(Connection& conn, const SecretBox& box,
                                                        std::string_view id) {
  const Param params[] = {id};
  return opened(box, query_one(conn, kFindWebhookAny, params, webhook_from_row));
}

Result<std::vector<WebhookEndpoint>> list_webhooks(Connection& conn, const SecretBox& box,
                                                   std::string_view merchant_id) {
  const Param params[] = {merchant_id};
  auto rows = query_all(conn, kListWebhooks, params, webhook_from_row);
  if (!rows) return fail(rows.error());
  for (auto& w : *rows) {
    auto o = opened(box, std::move(w));
    if (!o) return fail(o.error());
    w = std::move(*o);
  }
  return rows;
}

Result<std::vector<Subscription>> list_subscriptions(Connection& conn,
                                                     std::string_view merchant_id) {
  const Param params[] = {merchant_id};
  return query_all(conn, kListSubscriptions, params, [](const Row& row) {
    return Subscription{row.string(0), row.string(1), split_events(row.text(2))};
  });
}

Result<std::int64_t> reseal_webhook_secrets(Connection& conn, const SecretBox& box) {
  struct Stored {
    std::string id;
    std::string secret;
    std::optional<std::string> previous;
  };
  std::vector<Stored> rows;
  auto r = conn.execute(kListSecrets, {}, [&](const Row& row) {
    rows.push_back({row.string(0), row.string(1), row.optional_string(2)});
  });
  if (!r) return fail(r.error());
  std::int64_t resealed = 0;
  for (const auto& row : rows) {
    if (box.sealed_under_current(row.secret) &&
        (!row.previous || box.sealed_under_current(*row.previous))) {
      continue;
    }
    WebhookEndpoint w;
    w.id = row.id;
    w.secret = row.secret;
    w.previous_secret = row.previous;
    auto open = opened(box, std::move(w));
    if (!open) return fail(open.error());
    const std::string secret = box.seal(open->secret, secret_context(row.id));
    std::optional<std::string> previous;
    if (open->previous_secret) {
      previous = box.seal(*open->previous_secret, previous_secret_context(row.id));
    }
    const Param params[] = {row.id, row.secret, secret, nullable(previous)};
    auto updated = conn.execute(kReplaceSecrets, params);
    if (!updated) return fail(updated.error());
    resealed += *updated;
  }
  return resealed;
}

Result<std::int64_t> count_webhooks(Connection& conn, std::string_view merchant_id) {
  std::int64_t n = 0;
  const Param params[] = {merchant_id};
  if (conn.backend() == Backend::postgres) {
    if (auto locked = conn.execute(kLockMerchantPostgres, params); !locked) {
      return fail(locked.error());
    }
  }
  auto r = conn.execute(kCountWebhooks, params, [&](const Row& row) { n = row.int64(0); });
  if (!r) return fail(r.error());
  return n;
}

Status insert_event(Connection& conn, const Event& e) {
  const Param params[] = {e.id,         e.merchant_id, e.type,          e.payload,
                          e.created_at, e.format,      nullable(e.seq), nullable(e.object_id)};
  return to_status(conn.execute(kInsertEvent, params));
}

Result<std::optional<Event>> find_event(Connection& conn, std::string_view id) {
  const Param params[] = {id};
  return query_one(conn, kFindEvent, params, [](const Row& r) {
    return Event{r.string(0), r.string(1), r.string(2),         r.string(3),
                 r.int64(4),  r.string(5), r.optional_int64(6), r.optional_string(7)};
  });
}

Status insert_delivery(Connection& conn, const Delivery& d) {
  const Param params[] = {d.id,
                          d.merchant_id,
                          d.webhook_id,
                          d.event_id,
                          d.event_type,
                          d.status,
                          d.attempts,
                          nullable(d.response_code),
                          nullable(d.response_body),
                          nullable(d.next_attempt_at),
                          d.created_at,
                          d.updated_at,
                          d.version};
  if (auto r = conn.execute(kInsertDelivery, params); !r) return fail(r.error());
  return add_to_stats(conn, d.merchant_id, d.created_at, delivery_metric(kTotal), 1, 0);
}

Status update_delivery(Connection& conn, Delivery& d, const Delivery& previous) {
  const Param params[] = {d.id,
                          d.status,
                          d.attempts,
                          nullable(d.response_code),
                          nullable(d.response_body),
                          nullable(d.next_attempt_at),
                          d.updated_at,
                          previous.version + 1,
                          previous.version};
  if (auto s = expect_one_updated(conn.execute(kUpdateDelivery, params), "delivery " + d.id); !s) {
    return s;
  }
  d.version = previous.version + 1;
  // success and failed are counted; a manual retry takes its entry back to pending.
  if (previous.status != d.status) {
    if (previous.status != kDeliveryPending) {
      if (auto st = add_to_stats(conn, d.merchant_id, d.created_at,
                                 delivery_metric(previous.status), -1, 0);
          !st) {
        return st;
      }
    }
    if (d.status != kDeliveryPending) {
      if (auto st =
              add_to_stats(conn, d.merchant_id, d.created_at, delivery_metric(d.status), 1, 0);
          !st) {
        return st;
      }
    }
  }
  // Retries: attempts after the first.
  const auto retries = [](std::int64_t attempts) { return attempts > 1 ? attempts - 1 : 0; };
  if (const auto more = retries(d.attempts) - retries(previous.attempts); more != 0) {
    return add_to_stats(conn, d.merchant_id, d.created_at, kDeliveryRetriesMetric, more, 0);
  }
  return {};
}

Result<std::optional<Delivery>> find_delivery(Connection& conn, std::string_view merchant_id,
                                              std::string_view id) {
  const Param params[] = {id, merchant_id};
  return query_one(conn, kFindDelivery, params, delivery_from_row);
}

Result<std::optional<Delivery>> find_delivery_any(Connection& conn, std::string_view id) {
  const Param params[] = {id};
  return query_one(conn, kFindDeliveryAny, params, delivery_from_row);
}

Result<std::vector<Delivery>> list_deliveries(Connection& conn, std::string_view merchant_id,
                                              const DeliveryPage& page) {
  const PageWindow& w = page.window;
  const Param params[] = {merchant_id,     w.from,          w.to,        w.count,      w.skip,
                          page.webhook_id, page.event_type, page.status, page.event_id};
  return query_all(conn, kListDeliveries, params, delivery_from_row);
}

Status insert_attempt(Connection& conn, const DeliveryAttempt& a) {
  const Param params[] = {a.id,
                          a.delivery_id,
                          a.number,
                          a.attempted_at,
                          nullable(a.response_code),
                          a.duration_ms,
                          nullable(a.error),
                          nullable(a.response_body)};
  return to_status(conn.execute(kInsertAttempt, params));
}

Result<std::vector<DeliveryAttempt>> list_attempts(Connection& conn, std::string_view delivery_id) {
  const Param params[] = {delivery_id};
  return query_all(conn, kListAttempts, params, [](const Row& row) {
    return DeliveryAttempt{row.string(0),          row.string(1),         row.int64(2),
                           row.int64(3),           row.optional_int64(4), row.int64(5),
                           row.optional_string(6), row.optional_string(7)};
  });
}

}  // namespace paygate::store
