#include "core/event_log.h"

#include <algorithm>

#include "core/events.h"
#include "store/async.h"
#include "store/webhook_repository.h"

namespace paygate {

namespace asio = boost::asio;

namespace {

Error event_not_found(std::string_view id) {
  return Error::not_found("no event with id " + std::string(id.substr(0, 64)));
}

// The endpoints a resend goes to: the one named, or every active paygate
// endpoint subscribed to the event's type.
Result<std::vector<std::string>> resend_targets(store::Connection& c, const Event& event,
                                                std::string_view webhook_id) {
  auto subscriptions = store::list_subscriptions(c, event.merchant_id);
  if (!subscriptions) return fail(subscriptions.error());
  std::vector<std::string> targets;
  if (!webhook_id.empty()) {
    const auto it = std::find_if(subscriptions->begin(), subscriptions->end(),
                                 [&](const Subscription& s) { return s.webhook_id == webhook_id; });
    if (it == subscriptions->end()) {
      return fail(Error::bad_request(
          "no active webhook with id " + std::string(webhook_id.substr(0, 64)), "webhook_id"));
    }
    // Its stored bytes are paygate's shape: another format's endpoint would
    // get a body it does not expect, signed as it does not check.
    if (it->format != kFormatPaygate) {
      return fail(Error::bad_request("webhook " + it->webhook_id + " takes " + it->format +
                                         "-format events; only paygate-format endpoints get "
                                         "events resent",
                                     "webhook_id"));
    }
    targets.push_back(it->webhook_id);
    return targets;
  }
  for (const auto& s : *subscriptions) {
    if (s.format == kFormatPaygate &&
        std::find(s.events.begin(), s.events.end(), event.type) != s.events.end()) {
      targets.push_back(s.webhook_id);
    }
  }
  if (targets.empty()) {
    return fail(Error::bad_request("no active paygate-format webhook subscribes to " + event.type,
                                   "webhook_id"));
  }
  return targets;
}

}  // namespace

asio::awaitable<Result<std::vector<Event>>> EventLogService::list(const Merchant& merchant,
                                                                  store::EventQuery query) {
  if (auto s = validate_page_window(query.window); !s) co_return fail(std::move(s.error()));
  co_return co_await store::read(
      db_, [&](store::Connection& c) { return store::list_events(c, merchant.id, query); });
}

asio::awaitable<Result<Event>> EventLogService::get(const Merchant& merchant, std::string_view id) {
  auto found = co_await store::read(
      db_, [&](store::Connection& c) { return store::find_logged_event(c, merchant.id, id); });
  if (!found) co_return fail(std::move(found.error()));
  if (!*found) co_return fail(event_not_found(id));
  co_return std::move(**found);
}

asio::awaitable<Result<std::vector<Delivery>>> EventLogService::resend(
    const Merchant& merchant, std::string_view id, std::string_view webhook_id,
    const TxnHook<std::vector<Delivery>>& hook) {
  auto deliveries =
      co_await store::write(db_, [&](store::Connection& c) -> Result<std::vector<Delivery>> {
        auto event = store::find_logged_event(c, merchant.id, id);
        if (!event) return fail(event.error());
        if (!*event) return fail(event_not_found(id));
        auto targets = resend_targets(c, **event, webhook_id);
        if (!targets) return fail(targets.error());
        const Micros now = now_micros();
        std::vector<Delivery> made;
        for (const auto& target : *targets) {
          auto d = deliver_again(c, **event, target, now);
          if (!d) return fail(d.error());
          made.push_back(std::move(*d));
        }
        if (auto s = run_hook(hook, c, made); !s) return fail(s.error());
        return made;
      });
  if (deliveries && on_job_enqueued_) on_job_enqueued_();
  co_return deliveries;
}

asio::awaitable<Result<std::vector<Event>>> EventLogService::after(std::string_view merchant_id,
                                                                   std::int64_t seq,
                                                                   std::int64_t limit) {
  co_return co_await store::read(
      db_, [&](store::Connection& c) { return store::events_after(c, merchant_id, seq, limit); });
}

asio::awaitable<Result<std::int64_t>> EventLogService::latest(std::string_view merchant_id) {
  co_return co_await store::read(
      db_, [&](store::Connection& c) { return store::latest_event_seq(c, merchant_id); });
}

asio::awaitable<Status> EventLogService::purge_expired() {
  constexpr std::int64_t kChunk = 500;
  const Micros before = now_micros() - retention_;
  for (;;) {
    auto deleted = co_await store::write(
        db_, [&](store::Connection& c) { return store::purge_events(c, before, kChunk); });
    if (!deleted) co_return fail(std::move(deleted.error()));
    if (*deleted < kChunk) co_return Status{};
  }
}

}  // namespace paygate
