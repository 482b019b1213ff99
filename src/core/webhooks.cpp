#include "core/webhooks.h"

#include <algorithm>
#include <array>

#include "core/crypto.h"
#include "core/events.h"
#include "core/ids.h"
#include "core/json_writer.h"
#include "store/async.h"
#include "store/webhook_repository.h"

namespace paygate {

namespace asio = boost::asio;

namespace {

Error webhook_not_found(std::string_view id) {
  return Error::not_found("no webhook with id " + std::string(id.substr(0, 64)));
}

Error log_not_found(std::string_view id) {
  return Error::not_found("no webhook log entry with id " + std::string(id.substr(0, 64)));
}

std::string new_secret() {
  std::array<std::uint8_t, 32> bytes{};
  random_bytes(bytes);
  return hex_encode(bytes);
}

Status validate_url(std::string_view url) {
  if (!is_valid_webhook_url(url)) {
    return fail(Error::bad_request(
        "url must be an absolute http or https URL of at most 2048 characters", "url"));
  }
  return {};
}

std::vector<std::string> all_events(const EventFormat& format) {
  return {format.events().begin(), format.events().end()};
}

Result<const EventFormat*> format_named(const EventFormats& formats, std::string_view name) {
  const EventFormat* format = formats.find(name);
  if (format == nullptr) {
    return fail(Error::bad_request("format must be one of " + formats.names(), "format"));
  }
  return format;
}

}  // namespace

Status validate_event_list(const EventFormat& format, const std::vector<std::string>& events) {
  if (events.empty()) return fail(Error::bad_request("events must not be empty", "events"));
  const auto known = format.events();
  for (const auto& e : events) {
    if (std::find(known.begin(), known.end(), e) == known.end()) {
      std::string names;
      for (const auto name : known) names += (names.empty() ? "" : ", ") + std::string(name);
      std::string message = "unknown event " + e.substr(0, 64) + "; events are " + names;
      // The default format's message stays the contract's.
      if (format.name() != kFormatPaygate) {
        message += " (format " + std::string(format.name()) + ")";
      }
      return fail(Error::bad_request(std::move(message), "events"));
    }
  }
  return {};
}

asio::awaitable<Result<WebhookEndpoint>> WebhookService::create(
    const Merchant& merchant, NewWebhook input, const TxnHook<WebhookEndpoint>& hook) {
  if (auto s = validate_url(input.url); !s) co_return fail(std::move(s.error()));
  auto format = format_named(formats_, input.format.value_or(std::string(kFormatPaygate)));
  if (!format) co_return fail(std::move(format.error()));
  if (input.events) {
    if (auto s = validate_event_list(**format, *input.events); !s) {
      co_return fail(std::move(s.error()));
    }
  }
  WebhookEndpoint w;
  w.id = new_uuid_v4();
  w.merchant_id = merchant.id;
  w.url = std::move(input.url);
  w.secret = new_secret();
  w.events = input.events ? std::move(*input.events) : all_events(**format);
  w.format = std::string((*format)->name());
  w.created_at = w.updated_at = now_micros();
  auto stored = co_await store::write(db_, [&](store::Connection& c) -> Status {
    auto count = store::count_webhooks(c, merchant.id);
    if (!count) return fail(count.error());
    if (*count >= static_cast<std::int64_t>(kMaxWebhooksPerMerchant)) {
      return fail(Error::bad_request("a merchant may have at most 10 webhook endpoints", "url"));
    }
    if (auto s = store::insert_webhook(c, box_, w); !s) return s;
    return run_hook(hook, c, w);
  });
  if (!stored) co_return fail(std::move(stored.error()));
  co_return w;
}

asio::awaitable<Result<std::vector<WebhookEndpoint>>> WebhookService::list(
    const Merchant& merchant) {
  co_return co_await store::read(
      db_, [&](store::Connection& c) { return store::list_webhooks(c, box_, merchant.id); });
}

asio::awaitable<Result<WebhookEndpoint>> WebhookService::get(const Merchant& merchant,
                                                             std::string_view id) {
  auto found = co_await store::read(
      db_, [&](store::Connection& c) { return store::find_webhook(c, box_, merchant.id, id); });
  if (!found) co_return fail(std::move(found.error()));
  if (!*found) co_return fail(webhook_not_found(id));
  co_return std::move(**found);
}

asio::awaitable<Result<WebhookEndpoint>> WebhookService::update(const Merchant& merchant,
                                                                std::string_view id,
                                                                WebhookPatch patch) {
  if (patch.url) {
    if (auto s = validate_url(*patch.url); !s) co_return fail(std::move(s.error()));
  }
  const EventFormat* new_format = nullptr;
  if (patch.format) {
    auto format = format_named(formats_, *patch.format);
    if (!format) co_return fail(std::move(format.error()));
    new_format = *format;
  }
  if (patch.events && new_format != nullptr) {
    if (auto s = validate_event_list(*new_format, *patch.events); !s) {
      co_return fail(std::move(s.error()));
    }
  }
  co_return co_await store::write(db_, [&](store::Connection& c) -> Result<WebhookEndpoint> {
    auto found = store::find_webhook(c, box_, merchant.id, id);
    if (!found) return fail(found.error());
    if (!*found) return fail(webhook_not_found(id));
    WebhookEndpoint w = std::move(**found);
    // Events are names of the endpoint's format: without a new one (checked
    // above), they are checked against the format the endpoint has.
    if (patch.events && new_format == nullptr) {
      const EventFormat* format = formats_.find(w.format);
      if (format == nullptr) format = &paygate_format();  // a format this server lacks
      if (auto s = validate_event_list(*format, *patch.events); !s) return fail(s.error());
    }
    if (patch.url) w.url = *patch.url;
    if (patch.events) {
      w.events = *patch.events;
    } else if (new_format != nullptr && w.format != new_format->name()) {
      // The names differ between formats: a new format without a list
      // subscribes to all of its events.
      w.events = all_events(*new_format);
    }
    if (new_format != nullptr) w.format = std::string(new_format->name());
    if (patch.active) w.active = *patch.active;
    w.updated_at = now_micros();
    if (auto s = store::update_webhook(c, box_, w); !s) return fail(s.error());
    return w;
  });
}

asio::awaitable<Status> WebhookService::remove(const Merchant& merchant, std::string_view id) {
  co_return co_await store::write(db_, [&](store::Connection& c) -> Status {
    auto deleted = store::delete_webhook(c, merchant.id, id);
    if (!deleted) return fail(deleted.error());
    if (!*deleted) return fail(webhook_not_found(id));
    return {};
  });
}

asio::awaitable<Result<WebhookEndpoint>> WebhookService::rotate_secret(
    const Merchant& merchant, std::string_view id, const TxnHook<WebhookEndpoint>& hook) {
  const std::string fresh = new_secret();
  co_return co_await store::write(db_, [&](store::Connection& c) -> Result<WebhookEndpoint> {
    auto found = store::find_webhook(c, box_, merchant.id, id);
    if (!found) return fail(found.error());
    if (!*found) return fail(webhook_not_found(id));
    WebhookEndpoint w = std::move(**found);
    const Micros now = now_micros();
    w.previous_secret = w.secret;
    w.previous_secret_expires_at = now + kSecretOverlap;
    w.secret = fresh;
    w.updated_at = now;
    if (auto s = store::update_webhook(c, box_, w); !s) return fail(s.error());
    if (auto s = run_hook(hook, c, w); !s) return fail(s.error());
    return w;
  });
}

asio::awaitable<Result<Delivery>> WebhookService::send_test(const Merchant& merchant,
                                                            std::string_view id,
                                                            const TxnHook<Delivery>& hook) {
  auto delivery = co_await store::write(db_, [&](store::Connection& c) -> Result<Delivery> {
    auto found = store::find_webhook(c, box_, merchant.id, id);
    if (!found) return fail(found.error());
    if (!*found) return fail(webhook_not_found(id));
    const Micros now = now_micros();
    JsonWriter w(128);
    w.begin_object()
        .field("webhook_id", std::string_view((*found)->id))
        .field("message", "This is a test event from paygate.")
        .end_object();
    DomainEvent test(&c, kEventWebhookTest, merchant.id, now);
    test.with_object("test", w.str());
    auto d = emit_event_to(c, formats_, **found, test);
    if (!d) return fail(d.error());
    if (auto s = run_hook(hook, c, *d); !s) return fail(s.error());
    return d;
  });
  if (delivery && on_job_enqueued_) on_job_enqueued_();
  co_return delivery;
}

asio::awaitable<Result<std::vector<Delivery>>> WebhookService::list_deliveries(
    const Merchant& merchant, DeliveryPage page) {
  if (auto s = validate_page_window(page.window); !s) co_return fail(std::move(s.error()));
  if (!page.status.empty() && page.status != kDeliveryPending && page.status != kDeliverySuccess &&
      page.status != kDeliveryFailed) {
    co_return fail(Error::bad_request("status must be pending, success or failed", "status"));
  }
  co_return co_await store::read(
      db_, [&](store::Connection& c) { return store::list_deliveries(c, merchant.id, page); });
}

asio::awaitable<Result<DeliveryDetail>> WebhookService::get_delivery(const Merchant& merchant,
                                                                     std::string_view id) {
  co_return co_await store::read(db_, [&](store::Connection& c) -> Result<DeliveryDetail> {
    auto d = store::find_delivery(c, merchant.id, id);
    if (!d) return fail(d.error());
    if (!*d) return fail(log_not_found(id));
    auto attempts = store::list_attempts(c, id);
    if (!attempts) return fail(attempts.error());
    return DeliveryDetail{std::move(**d), std::move(*attempts)};
  });
}

asio::awaitable<Result<Delivery>> WebhookService::retry_delivery(const Merchant& merchant,
                                                                 std::string_view id,
                                                                 const TxnHook<Delivery>& hook) {
  auto delivery = co_await store::write(db_, [&](store::Connection& c) -> Result<Delivery> {
    auto found = store::find_delivery(c, merchant.id, id);
    if (!found) return fail(found.error());
    if (!*found) return fail(log_not_found(id));
    Delivery d = std::move(**found);
    const Delivery before = d;
    const Micros now = now_micros();
    d.status = std::string(kDeliveryPending);
    d.next_attempt_at = now;
    d.updated_at = now;
    if (auto s = store::update_delivery(c, d, before); !s) return fail(s.error());
    if (auto s = queue_delivery(c, d, now); !s) return fail(s.error());
    if (auto s = run_hook(hook, c, d); !s) return fail(s.error());
    return d;
  });
  if (delivery && on_job_enqueued_) on_job_enqueued_();
  co_return delivery;
}

}  // namespace paygate
