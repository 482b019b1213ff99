// What the API handlers call: the configuration and the core services.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "config/config.h"
#include "core/event_hub.h"
#include "core/event_log.h"
#include "core/idempotency.h"
#include "core/merchants.h"
#include "core/orders.h"
#include "core/payments.h"
#include "core/refunds.h"
#include "core/stats.h"
#include "core/webhooks.h"
#include "http/request_log.h"
#include "metrics/registry.h"
#include "store/database.h"

namespace paygate::api {

struct Services {
  const Config& config;
  store::Database& db;
  MerchantDirectory& merchants;
  OrderService& orders;
  PaymentService& payments;
  RefundService& refunds;
  IdempotencyService& idempotency;
  WebhookService& webhooks;
  StatsService& stats;
  metrics::Registry& metrics;
  std::chrono::steady_clock::time_point started;  // for the uptime metric
  // Whether this process runs job workers (for /test/jobs/status).
  std::function<bool()> workers_running;
  // The key of the merchant that keyless public calls are for (test mode's
  // demo merchant); empty when such calls are refused.
  std::string default_merchant_key;
  EventLogService& events;
  EventHub& event_hub;
  StreamCounter& streams;
  http::RequestLog& request_log;
  // How many live API processes share the rate limits right now (the
  // process registry's last heartbeat); unset: this one alone.
  std::function<int()> api_processes = {};
};

}  // namespace paygate::api
