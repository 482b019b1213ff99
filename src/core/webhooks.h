// Webhook endpoints and their delivery log: the merchant's side.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <vector>

#include "core/error.h"
#include "core/event_format.h"
#include "core/merchant.h"
#include "core/secret_box.h"
#include "core/txn_hook.h"
#include "core/webhook.h"
#include "store/database.h"

namespace paygate {

struct DeliveryDetail {
  Delivery delivery;
  std::vector<DeliveryAttempt> attempts;
};

class WebhookService {
 public:
  // box seals the endpoints' signing secrets in the database; formats are the
  // ones an endpoint may choose.
  WebhookService(store::Database& db, const SecretBox& box, const EventFormats& formats,
                 std::function<void()> on_job_enqueued)
      : db_(db), box_(box), formats_(formats), on_job_enqueued_(std::move(on_job_enqueued)) {}

  boost::asio::awaitable<Result<WebhookEndpoint>> create(const Merchant& merchant, NewWebhook input,
                                                         const TxnHook<WebhookEndpoint>& hook = {});
  boost::asio::awaitable<Result<std::vector<WebhookEndpoint>>> list(const Merchant& merchant);
  boost::asio::awaitable<Result<WebhookEndpoint>> get(const Merchant& merchant,
                                                      std::string_view id);
  boost::asio::awaitable<Result<WebhookEndpoint>> update(const Merchant& merchant,
                                                         std::string_view id, WebhookPatch patch);
  boost::asio::awaitable<Status> remove(const Merchant& merchant, std::string_view id);
  // A new secret; the old one keeps signing beside it for 24 hours.
  boost::asio::awaitable<Result<WebhookEndpoint>> rotate_secret(
      const Merchant& merchant, std::string_view id, const TxnHook<WebhookEndpoint>& hook = {});
  // Sends a webhook.test event to this endpoint now.
  boost::asio::awaitable<Result<Delivery>> send_test(const Merchant& merchant, std::string_view id,
                                                     const TxnHook<Delivery>& hook = {});

  boost::asio::awaitable<Result<std::vector<Delivery>>> list_deliveries(const Merchant& merchant,
                                                                        DeliveryPage page);
  boost::asio::awaitable<Result<DeliveryDetail>> get_delivery(const Merchant& merchant,
                                                              std::string_view id);
  // A fresh attempt now, whatever the entry's state.
  boost::asio::awaitable<Result<Delivery>> retry_delivery(const Merchant& merchant,
                                                          std::string_view id,
                                                          const TxnHook<Delivery>& hook = {});

 private:
  store::Database& db_;
  const SecretBox& box_;
  const EventFormats& formats_;
  const std::function<void()> on_job_enqueued_;
};

// Every name is an event of the format, and there is at least one.
Status validate_event_list(const EventFormat& format, const std::vector<std::string>& events);

}  // namespace paygate
