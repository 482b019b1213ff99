#include "api/stats.h"

#include <fmt/format.h>

#include "api/auth.h"
#include "api/paging.h"
#include "core/json_writer.h"

namespace paygate::api {

namespace asio = boost::asio;
using http::Reply;
using http::Request;

namespace {

// 3350 hundredths -> 33.5; rates are percentages with at most two decimals.
std::string percent(std::int64_t bp) {
  if (bp % 100 == 0) return std::to_string(bp / 100);
  if (bp % 10 == 0) return fmt::format("{}.{}", bp / 100, (bp % 100) / 10);
  return fmt::format("{}.{:02}", bp / 100, bp % 100);
}

// Microseconds as seconds, without trailing zeros: 1500000 -> 1.5.
std::string seconds(Micros us) {
  std::string s = fmt::format("{}.{:06}", us / 1'000'000, us % 1'000'000);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

std::string render_stats(const MerchantStats& st) {
  JsonWriter w(768);
  w.begin_object();
  w.key("payments").begin_object();
  w.field("total", st.payments.total);
  w.field("success", st.payments.success);
  w.field("failed", st.payments.failed);
  w.field("processing", st.payments.processing);
  w.field("created", st.payments.created);
  w.key("success_rate_pct").raw(percent(st.payments.success_rate_bp));
  w.key("failure_rate_pct").raw(percent(st.payments.failure_rate_bp));
  w.field("amount_success", st.payments.amount_success);
  w.end_object();
  w.key("webhooks").begin_object();
  w.field("total", st.webhooks.total);
  w.field("failed", st.webhooks.failed);
  w.field("retries", st.webhooks.retries);
  w.key("success_rate_pct").raw(percent(st.webhooks.success_rate_bp));
  w.field("success", st.webhooks.success);
  w.field("pending", st.webhooks.pending);
  w.end_object();
  w.key("latency_sec").begin_object();
  w.key("avg").raw(seconds(st.latency.avg));
  w.key("min").raw(seconds(st.latency.min));
  w.key("max").raw(seconds(st.latency.max));
  w.key("p50").raw(seconds(st.latency.p50));
  w.key("p95").raw(seconds(st.latency.p95));
  w.key("p99").raw(seconds(st.latency.p99));
  w.field("count", st.latency.count);
  w.end_object();
  w.key("refunds").begin_object();
  w.field("total", st.refunds.total);
  w.field("processed", st.refunds.processed);
  w.field("failed", st.refunds.failed);
  w.field("pending", st.refunds.pending);
  w.field("amount_refunded", st.refunds.amount_refunded);
  w.end_object();
  w.end_object();
  return w.take();
}

asio::awaitable<Result<Reply>> get_stats(const Services& s, const Request& req) {
  auto merchant = co_await authenticate_merchant(s, req);
  if (!merchant) co_return fail(std::move(merchant.error()));
  auto window = parse_time_window(req);
  if (!window) co_return fail(std::move(window.error()));
  auto stats = co_await s.stats.for_merchant(*merchant, StatsWindow{window->from, window->to});
  if (!stats) co_return fail(std::move(stats.error()));
  co_return Reply{200, render_stats(*stats), "application/json", {}};
}

}  // namespace

void add_stats_routes(http::Router& router, const Services& s) {
  router.add(http::Method::get, "/api/v1/admin/stats",
             [&s](const Request& req) { return get_stats(s, req); });
}

}  // namespace paygate::api
