#include "api/test_jobs.h"

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

asio::awaitable<Result<Reply>> status(const Services& s, const Request&) {
  auto counts = co_await count_jobs(s.db);
  if (!counts) co_return fail(std::move(counts.error()));
  JsonWriter w(160);
  w.begin_object()
      .field("pending", counts->pending)
      .field("processing", counts->running)
      .field("completed", counts->done)
      .field("failed", counts->dead)
      .field("worker_status", s.workers_running() ? "running" : "stopped")
      .end_object();
  co_return Reply{200, w.take(), "application/json", {}};
}

}  // namespace

void add_test_job_routes(http::Router& router, const Services& s) {
  const Services* sp = &s;
  router.add(http::Method::post, "/api/v1/test/jobs/enqueue",
             [sp](const Request& r) { return enqueue(*sp, r); });
  router.add(http::Method::get, "/api/v1/test/jobs/status",
             [sp](const Request& r) { return status(*sp, r); });
}

}  // namespace paygate::api
