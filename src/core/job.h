// A durable job: a row in the jobs table, written in the same transaction as
// the state change that needs it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace paygate {

inline constexpr std::string_view kQueuePayments = "gateway_jobs";
inline constexpr std::string_view kQueueRefunds = "gateway_refunds";
inline constexpr std::string_view kQueueWebhooks = "gateway_webhooks";

inline constexpr std::string_view kJobProcessPayment = "payment.process";
// Test mode only: a job whose handler ends its worker process, as a crash would.
inline constexpr std::string_view kJobTestCrash = "test.crash";

inline constexpr std::string_view kJobPending = "pending";
inline constexpr std::string_view kJobRunning = "running";
inline constexpr std::string_view kJobDone = "done";
inline constexpr std::string_view kJobDead = "dead";

struct Job {
  std::string id;
  std::string queue;
  std::string kind;
  std::string subject_id;     // the payment, refund or delivery it is about
  std::int64_t attempts = 0;  // including the one under way, once claimed
  std::int64_t max_attempts = 5;
  Micros run_at = 0;
  std::int64_t deferrals = 0;  // runs put off because the database could not be used
};

// A job that will not run again, and why.
struct DeadJob {
  std::string id;
  std::string queue;
  std::string kind;
  std::string subject_id;
  std::int64_t attempts = 0;
  std::string reason;
  Micros died_at = 0;
};

struct JobCounts {
  std::int64_t pending = 0;
  std::int64_t running = 0;
  std::int64_t done = 0;
  std::int64_t dead = 0;
};

struct QueueCount {
  std::string queue;
  std::string state;
  std::int64_t count = 0;
};

}  // namespace paygate
