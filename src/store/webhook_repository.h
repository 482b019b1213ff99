// SQL for webhook endpoints, events, deliveries and their attempts.
#pragma once

#include <optional>
#include <vector>

#include "core/job.h"
#include "core/secret_box.h"
#include "core/webhook.h"
#include "store/database.h"

namespace paygate::store {

// Endpoints' signing secrets are kept sealed by box (core/secret_box.h): the
// functions that write an endpoint seal them, those that read one open them.
Status insert_webhook(Connection& conn, const SecretBox& box, const WebhookEndpoint& w);
// Writes w's mutable fields and bumps its version (in w too), only if the
// stored row is still the version w was read at (else Error::conflict).
Status update_webhook(Connection& conn, const SecretBox& box, WebhookEndpoint& w);
Result<bool> delete_webhook(Connection& conn, std::string_view merchant_id, std::string_view id);
Result<std::optional<WebhookEndpoint>> find_webhook(Connection& conn, const SecretBox& box,
                                                    std::string_view merchant_id,
                                                    std::string_view id);
Result<std::vector<WebhookEndpoint>> list_webhooks(Connection& conn, const SecretBox& box,
                                                   std::string_view merchant_id);
// The merchant's active endpoints: their ids, formats and events (no secrets read).
Result<std::vector<Subscription>> list_subscriptions(Connection& conn,
                                                     std::string_view merchant_id);
// Seals every endpoint's secrets under box's current key where they are not
// already (a rotation of the master key, or rows written before secrets were
// sealed); how many rows it rewrote.
Result<std::int64_t> reseal_webhook_secrets(Connection& conn, const SecretBox& box);
// On PostgreSQL also locks the merchant row until the transaction ends, so that
// concurrent creates cannot both pass the limit.
Result<std::int64_t> count_webhooks(Connection& conn, std::string_view merchant_id);

Status insert_event(Connection& conn, const Event& e);
Result<std::optional<Event>> find_event(Connection& conn, std::string_view id);

Status insert_delivery(Connection& conn, const Delivery& d);
// previous: d as it was read (status and attempts keep the stats totals).
// Only if the stored row is still previous's version (else Error::conflict).
Status update_delivery(Connection& conn, Delivery& d, const Delivery& previous);
Result<std::optional<Delivery>> find_delivery(Connection& conn, std::string_view merchant_id,
                                              std::string_view id);
Result<std::optional<Delivery>> find_delivery_any(Connection& conn, std::string_view id);
Result<std::vector<Delivery>> list_deliveries(Connection& conn, std::string_view merchant_id,
                                              const DeliveryPage& page);

Status insert_attempt(Connection& conn, const DeliveryAttempt& a);
Result<std::vector<DeliveryAttempt>> list_attempts(Connection& conn, std::string_view delivery_id);

// The merchant's endpoint row with its merchant check skipped (the worker).
Result<std::optional<WebhookEndpoint>> find_webhook_any(Connection& conn, const SecretBox& box,
                                                        std::string_view id);

}  // namespace paygate::store
