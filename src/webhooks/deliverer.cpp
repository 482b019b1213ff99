#include "webhooks/deliverer.h"

#include <spdlog/spdlog.h>

#include <array>

#include "core/crypto.h"
#include "core/ids.h"
#include "core/webhook.h"
#include "logging/log.h"
#include "store/async.h"
#include "store/job_repository.h"
#include "store/webhook_repository.h"
#include "webhooks/signing.h"

namespace paygate::webhooks {

namespace asio = boost::asio;

namespace {

Error lease_lost() {
  return Error::internal("the job's lease was lost to another worker");
}

// What one attempt needs, read before the POST (never holding a transaction
// across it).
struct Pending {
  Delivery delivery;
  WebhookEndpoint endpoint;
  Event event;
};

double random_unit() {
  std::array<std::uint8_t, 4> b{};
  random_bytes(b);
  const std::uint32_t r =
      (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
  return static_cast<double>(r) / 2147483647.5 - 1.0;
}

Status complete(store::Connection& c, const Job& job, Micros now) {
  auto done = store::complete_job(c, job, now);
  if (!done) return fail(done.error());
  return *done ? Status{} : fail(lease_lost());
}

}  // namespace

std::optional<std::chrono::milliseconds> next_retry_delay(
    const std::vector<std::chrono::milliseconds>& schedule, std::int64_t failed_attempts,
    double jitter_unit, std::optional<std::chrono::seconds> retry_after) {
  if (failed_attempts < 1 || failed_attempts > static_cast<std::int64_t>(schedule.size())) {
    return std::nullopt;
  }
  const auto base = schedule[static_cast<std::size_t>(failed_attempts - 1)];
  auto delay = std::chrono::milliseconds(
      static_cast<std::int64_t>(static_cast<double>(base.count()) * (1.0 + 0.1 * jitter_unit)));
  if (retry_after) {
    const auto asked = std::min<std::chrono::milliseconds>(*retry_after, std::chrono::hours(24));
    delay = std::max(delay, asked);
  }
  return delay;
}

Deliverer::Deliverer(store::Database& db, const SecretBox& box, DeliveryPool& pool,
                     DeliverySettings settings, metrics::Registry* metrics)
    : db_(db), box_(box), pool_(pool), settings_(std::move(settings)) {
  if (metrics == nullptr) return;
  constexpr std::string_view kAttempts = "paygate_webhook_attempts_total";
  constexpr std::string_view kHelp =
      "Webhook delivery attempts by outcome: success (2xx), http_error (another status), "
      "no_response (refused, timed out, unreachable).";
  succeeded_ = &metrics->counter(kAttempts, kHelp, {{"outcome", "success"}});
  http_errors_ = &metrics->counter(kAttempts, kHelp, {{"outcome", "http_error"}});
  unanswered_ = &metrics->counter(kAttempts, kHelp, {{"outcome", "no_response"}});
  duration_ = &metrics->histogram("paygate_webhook_attempt_duration_seconds",
                                  "Time from sending a webhook to its receiver's answer.",
                                  metrics::latency_buckets());
}

void Deliverer::observe(const PostResult& result) {
  if (duration_ == nullptr) return;
  if (!result.status) {
    unanswered_->inc();
  } else if (*result.status >= 200 && *result.status <= 299) {
    succeeded_->inc();
  } else {
    http_errors_->inc();
  }
  duration_->observe(static_cast<double>(result.duration_ms) / 1000.0);
}

asio::awaitable<Status> Deliverer::process(const Job& job) {
  // 1. What to send, or nothing to do.
  std::optional<Pending> pending;
  bool finished = false;
  // The runner renews the job's lease while the POST runs, however long the
  // receiver takes: no other worker sends it meanwhile.
  auto read = co_await store::read(db_, [&](store::Connection& c) -> Status {
    // A read may run more than once (a pipelined read run again): only the
    // last run's findings count.
    pending.reset();
    finished = false;
    auto d = store::find_delivery_any(c, job.subject_id);
    if (!d) return fail(d.error());
    // Nothing to do when the entry is settled, or when a manual retry has
    // rescheduled it and a newer job owns the next attempt.
    constexpr Micros kSlack = 1'000'000;
    if (!*d || (*d)->status != kDeliveryPending ||
        ((*d)->next_attempt_at && *(*d)->next_attempt_at > now_micros() + kSlack)) {
      finished = true;
      return {};
    }
    auto w = store::find_webhook_any(c, box_, (*d)->webhook_id);
    if (!w) return fail(w.error());
    auto e = store::find_event(c, (*d)->event_id);
    if (!e) return fail(e.error());
    if (!*e) return fail(Error::internal("delivery " + (*d)->id + " has no event"));
    pending = Pending{std::move(**d), *w ? std::move(**w) : WebhookEndpoint{}, std::move(**e)};
    return {};
  });
  if (!read) co_return fail(std::move(read.error()));
  if (finished) {
    co_return co_await store::write(
        db_, [&](store::Connection& c) { return complete(c, job, now_micros()); });
  }

  // 2. The POST (no transaction open, no worker thread held).
  Delivery& d = pending->delivery;
  const WebhookEndpoint& endpoint = pending->endpoint;
  const Micros started = now_micros();
  PostResult result;
  if (endpoint.id.empty() || !endpoint.active) {
    result.error = endpoint.id.empty() ? "the endpoint was deleted" : "the endpoint is disabled";
  } else {
    PostRequest request;
    request.url = endpoint.url;
    request.body = pending->event.payload;
    request.timeout = settings_.timeout;
    request.allow_private = settings_.allow_private;
    request.headers = delivery_headers(endpoint, pending->event, started);
    result = co_await pool_.post(std::move(request));
  }
  observe(result);
  logging::event(result.status && *result.status >= 200 && *result.status <= 299
                     ? spdlog::level::info
                     : spdlog::level::warn,
                 "webhook_attempt",
                 {{"delivery_id", d.id},
                  {"event_id", d.event_id},
                  {"webhook_id", d.webhook_id},
                  {"attempt", d.attempts + 1},
                  {"response_code", result.status ? std::int64_t{*result.status} : 0},
                  {"error", result.error},
                  // Hosts, addresses and libcurl's text: for the operator, never the merchant.
                  {"detail", result.detail},
                  {"duration_ms", std::int64_t{result.duration_ms}}});

  // 3. Record the attempt, and what comes next, in one transaction.
  co_return co_await store::write(db_, [&](store::Connection& c) -> Status {
    const Micros now = now_micros();
    auto current = store::find_delivery_any(c, d.id);
    if (!current) return fail(current.error());
    if (!*current) return complete(c, job, now);
    d = std::move(**current);
    const Delivery before = d;
    d.attempts += 1;
    DeliveryAttempt attempt{new_uuid_v4(),      d.id,         d.attempts,  started, std::nullopt,
                            result.duration_ms, std::nullopt, std::nullopt};
    if (result.status) {
      attempt.response_code = *result.status;
      attempt.response_body = result.body;
      d.response_code = std::to_string(*result.status);
      d.response_body = result.body;
    } else {
      attempt.error = result.error;
      d.response_code.reset();
      d.response_body = result.error;
    }
    if (!result.status || *result.status < 200 || *result.status > 299) {
      if (!attempt.error) attempt.error = "HTTP " + std::to_string(*result.status);
    }
    if (auto s = store::insert_attempt(c, attempt); !s) return s;

    const bool ok = result.status && *result.status >= 200 && *result.status <= 299;
    const bool gone = result.status && *result.status == 410;
    d.updated_at = now;
    std::optional<std::chrono::milliseconds> retry;
    if (!ok && !gone) {
      const bool honour = result.status && (*result.status == 429 || *result.status == 503);
      retry = next_retry_delay(settings_.retry_schedule, d.attempts, random_unit(),
                               honour ? result.retry_after : std::nullopt);
    }
    if (ok) {
      d.status = std::string(kDeliverySuccess);
      d.next_attempt_at.reset();
    } else if (retry) {
      d.status = std::string(kDeliveryPending);
      d.next_attempt_at =
          now + std::chrono::duration_cast<std::chrono::microseconds>(*retry).count();
    } else {
      d.status = std::string(kDeliveryFailed);
      d.next_attempt_at.reset();
    }
    if (auto s = store::update_delivery(c, d, before); !s) return s;
    if (gone) {
      // 410 Gone: the receiver says the endpoint is no more.
      auto w = store::find_webhook_any(c, box_, d.webhook_id);
      if (!w) return fail(w.error());
      if (*w) {
        (*w)->active = false;
        (*w)->updated_at = now;
        if (auto s = store::update_webhook(c, box_, **w); !s) return s;
      }
      spdlog::info("webhook {} disabled: its receiver answered 410 Gone", d.webhook_id);
    }
    if (retry) {
      auto moved = store::continue_job_at(c, job, *d.next_attempt_at, now);
      if (!moved) return fail(moved.error());
      return *moved ? Status{} : fail(lease_lost());
    }
    return complete(c, job, now);
  });
}

}  // namespace paygate::webhooks
