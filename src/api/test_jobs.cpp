#include "api/test_jobs.h"

#include "api/body.h"
#include "core/job_stats.h"
#include "core/json_writer.h"

namespace paygate::api {

namespace asio = boost::asio;
using http::Reply;
using http::Request;

namespace {

// A new order and UPI payment for the default merchant, queued for processing.
asio::awaitable<Result<Reply>> enqueue(const Services& s, const Request&) {
  auto merchant = co_await s.merchants.by_key(s.default_merchant_key);
  if (!merchant) co_return fail(std::move(merchant.error()));
  NewOrder order_input;
  order_input.amount = 50000;
  order_input.receipt = "test_job";
  auto order = co_await s.orders.create(*merchant, std::move(order_input));
  if (!order) co_return fail(std::move(order.error()));
  NewPayment payment_input;
  payment_input.order_id = order->id;
  payment_input.method = std::string(kMethodUpi);
  payment_input.vpa = "success@upi";
  auto payment = co_await s.payments.create(*merchant, std::move(payment_input), true);
  if (!payment) co_return fail(std::move(payment.error()));
  JsonWriter w(128);
  w.begin_object()
      .field("status", "queued")
      .field("payment_id", std::string_view(payment->id))
      .field("queue", kQueuePayments)
      .end_object();
  co_return Reply{200, w.take(), "application/json", {}};
}

// A job that ends the worker process running it, as a crash would: what a
// crash costs (attempts counted at claim, dead after max_attempts) is tested
// with it. {"max_attempts": N}, default 3.
asio::awaitable<Result<Reply>> enqueue_crash(const Services& s, const Request& req) {
  std::int64_t max_attempts = 3;
  if (!req.body.empty()) {
    auto body = parse_json_object(req.body);
    if (!body) co_return fail(std::move(body.error()));
    auto given = optional_int(*body, "max_attempts");
    if (!given) co_return fail(std::move(given.error()));
    if (*given && (**given < 1 || **given > 100)) {
      co_return fail(Error::bad_request("max_attempts must be from 1 to 100", "max_attempts"));
    }
    max_attempts = given->value_or(max_attempts);
  }
  auto id = co_await enqueue_job(s.db, kQueuePayments, kJobTestCrash, "test", max_attempts);
  if (!id) co_return fail(std::move(id.error()));
  JsonWriter w(128);
  w.begin_object()
      .field("status", "queued")
      .field("job_id", std::string_view(*id))
      .field("queue", kQueuePayments)
      .end_object();
  co_return Reply{200, w.take(), "application/json", {}};
}

// Every process of the deployment, from the processes table: which is live,
// what it runs, and how many running jobs it holds.
void write_processes(JsonWriter& w, const std::vector<ProcessStatus>& processes, Micros now) {
  w.key("processes").begin_array();
  for (const auto& p : processes) {
    w.begin_object()
        .field("id", std::string_view(p.info.id))
        .field("role", process_role(p.info.api, p.info.workers))
        .field("host", std::string_view(p.info.host))
        .field("pid", p.info.pid)
        .field("version", std::string_view(p.info.version))
        .field("alive", is_live(p.expires_at, now));
    w.key("started_at").timestamp(p.info.started_at);
    w.key("heartbeat_at").timestamp(p.heartbeat_at);
    w.field("jobs_held", p.jobs_held).end_object();
  }
  w.end_array();
}

asio::awaitable<Result<Reply>> status(const Services& s, const Request&) {
  auto counts = co_await count_jobs(s.db);
  if (!counts) co_return fail(std::move(counts.error()));
  constexpr int kDeadShown = 20;
  auto dead = co_await list_dead_jobs(s.db, kDeadShown);
  if (!dead) co_return fail(std::move(dead.error()));
  auto processes = co_await list_processes(s.db);
  if (!processes) co_return fail(std::move(processes.error()));
  const Micros now = now_micros();
  JsonWriter w(512);
  // worker_status is this process's (as it always was); workers_alive counts
  // the live worker processes of the whole deployment.
  w.begin_object()
      .field("pending", counts->pending)
      .field("processing", counts->running)
      .field("completed", counts->done)
      .field("failed", counts->dead)
      .field("worker_status", s.workers_running() ? "running" : "stopped")
      .field("workers_alive", std::int64_t{count_live(*processes, now, false)});
  write_processes(w, *processes, now);
  w.key("dead_jobs").begin_array();
  for (const auto& d : *dead) {
    w.begin_object()
        .field("id", std::string_view(d.id))
        .field("queue", std::string_view(d.queue))
        .field("kind", std::string_view(d.kind))
        .field("subject_id", std::string_view(d.subject_id))
        .field("attempts", d.attempts)
        .field("reason", std::string_view(d.reason));
    w.key("died_at").timestamp(d.died_at);
    w.end_object();
  }
  w.end_array().end_object();
  co_return Reply{200, w.take(), "application/json", {}};
}

}  // namespace

void add_test_job_routes(http::Router& router, const Services& s) {
  const Services* sp = &s;
  router.add(http::Method::post, "/api/v1/test/jobs/enqueue",
             [sp](const Request& r) { return enqueue(*sp, r); });
  router.add(http::Method::post, "/api/v1/test/jobs/crash",
             [sp](const Request& r) { return enqueue_crash(*sp, r); });
  router.add(http::Method::get, "/api/v1/test/jobs/status",
             [sp](const Request& r) { return status(*sp, r); });
}

}  // namespace paygate::api
