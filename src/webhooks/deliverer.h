// The webhook.deliver job: sends one event to one endpoint, signed, and keeps
// trying on the retry schedule; each attempt is logged. At least once: a
// crash between the POST and its record means the receiver may see the same
// webhook-id again.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <vector>

#include "core/job.h"
#include "core/secret_box.h"
#include "metrics/registry.h"
#include "store/database.h"
#include "webhooks/delivery_pool.h"

namespace paygate::webhooks {

struct DeliverySettings {
  // Delays after the 1st, 2nd, ... failed attempt; attempts in all: size + 1.
  std::vector<std::chrono::milliseconds> retry_schedule;
  std::chrono::milliseconds timeout{5000};
  bool allow_private = false;
};

class Deliverer {
 public:
  // box opens the endpoints' signing secrets; metrics may be null.
  Deliverer(store::Database& db, const SecretBox& box, DeliveryPool& pool,
            DeliverySettings settings, metrics::Registry* metrics = nullptr);

  boost::asio::awaitable<Status> process(const Job& job);

 private:
  void observe(const PostResult& result);

  store::Database& db_;
  const SecretBox& box_;
  DeliveryPool& pool_;
  const DeliverySettings settings_;
  // Attempts by outcome: a 2xx, another HTTP status, no HTTP answer at all.
  metrics::Counter* succeeded_ = nullptr;
  metrics::Counter* http_errors_ = nullptr;
  metrics::Counter* unanswered_ = nullptr;
  metrics::Histogram* duration_ = nullptr;
};

// The delay before the next attempt after `failed_attempts` failures, with
// +-10% jitter (jitter_unit in [-1, 1]); a longer Retry-After wins. Nothing
// when the schedule is used up.
std::optional<std::chrono::milliseconds> next_retry_delay(
    const std::vector<std::chrono::milliseconds>& schedule, std::int64_t failed_attempts,
    double jitter_unit, std::optional<std::chrono::seconds> retry_after);

}  // namespace paygate::webhooks
