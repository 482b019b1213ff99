#include "api/metrics.h"

#include <algorithm>
#include <cctype>

#include "core/crypto.h"
#include "core/job_stats.h"
#include "core/payment.h"
#include "core/refund.h"
#include "metrics/registry.h"

namespace paygate::api {

namespace asio = boost::asio;
using http::Reply;
using http::Request;

namespace {

constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

// Payments and refunds that reached a final status, from the database's
// running totals: the same numbers whichever process is scraped.
void write_business_totals(std::string& out, const StatsTotals& totals) {
  metrics::write_header(out, "paygate_payments_total",
                        "Payments that reached a final status, by status and method "
                        "(database-wide).",
                        "counter");
  for (const auto& [metric, t] : totals.counters) {
    const std::string_view m = metric;
    if (!m.starts_with("payment:")) continue;
    const auto colon = m.rfind(':');
    const auto status = m.substr(colon + 1);
    if (!is_final_payment_status(status)) continue;
    const auto method = m.substr(8, colon - 8);
    metrics::write_sample(out, "paygate_payments_total",
                          {{"status", std::string(status)}, {"method", std::string(method)}},
                          static_cast<double>(t.count));
  }
  metrics::write_header(out, "paygate_refunds_total",
                        "Refunds that reached a final status, by status (database-wide).",
                        "counter");
  for (const auto& [metric, t] : totals.counters) {
    const std::string_view m = metric;
    if (!m.starts_with("refund:")) continue;
    const auto status = m.substr(7);
    if (status != kRefundProcessed && status != kRefundFailed) continue;
    metrics::write_sample(out, "paygate_refunds_total", {{"status", std::string(status)}},
                          static_cast<double>(t.count));
  }
}

void write_jobs(std::string& out, const std::vector<QueueCount>& counts) {
  metrics::write_header(out, "paygate_jobs",
                        "Jobs queued (pending), running and dead, by queue (database-wide).",
                        "gauge");
  // Every queue and state, zeros included, so a series never disappears.
  for (const std::string_view queue : {kQueuePayments, kQueueRefunds, kQueueWebhooks}) {
    for (const std::string_view state : {kJobPending, kJobRunning, kJobDead}) {
      std::int64_t n = 0;
      for (const auto& c : counts) {
        if (c.queue == queue && c.state == state) n = c.count;
      }
      metrics::write_sample(out, "paygate_jobs",
                            {{"queue", std::string(queue)}, {"state", std::string(state)}},
                            static_cast<double>(n));
    }
  }
}

// Live processes of the deployment, from the processes table: how many serve
// the API and how many run workers (`serve` with its workers is both).
void write_processes(std::string& out, const std::vector<ProcessStatus>& processes) {
  metrics::write_header(out, "paygate_processes",
                        "Live processes by role: api, worker (database-wide).", "gauge");
  const Micros now = now_micros();
  metrics::write_sample(out, "paygate_processes", {{"role", "api"}},
                        static_cast<double>(count_live(processes, now, true)));
  metrics::write_sample(out, "paygate_processes", {{"role", "worker"}},
                        static_cast<double>(count_live(processes, now, false)));
}

// A scrape shows every merchant's totals, so only the holder of the
// configured token may read it; with none configured, nobody may (test mode
// included: a test-mode server is still reachable by whoever can reach it).
Status check_scraper(const Config& config, const Request& req) {
  if (config.metrics_token.empty()) {
    return fail(Error::authentication(
        "/metrics is closed: configure PAYGATE_METRICS_TOKEN or --metrics-token-file"));
  }
  constexpr std::string_view kScheme = "bearer ";
  const std::string_view header = req.header("Authorization");
  const bool bearer =
      header.size() > kScheme.size() &&
      std::ranges::equal(header.substr(0, kScheme.size()), kScheme, [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == b;
      });
  // Hashes of equal length: the comparison's time tells nothing, not even the length.
  if (!bearer || !constant_time_equal(sha256_hex(header.substr(kScheme.size())),
                                      sha256_hex(config.metrics_token))) {
    return fail(Error::authentication("Invalid metrics token: send Authorization: Bearer <token>"));
  }
  return {};
}

asio::awaitable<Result<Reply>> get_metrics(const Services& s, const Request& req) {
  if (auto ok = check_scraper(s.config, req); !ok) co_return fail(std::move(ok.error()));
  std::string out = s.metrics.render();
  const double uptime =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - s.started).count();
  metrics::write_header(out, "paygate_process_uptime_seconds", "Seconds since the process started.",
                        "gauge");
  metrics::write_sample(out, "paygate_process_uptime_seconds", {}, uptime);

  auto totals = co_await s.stats.all_merchants();
  if (!totals) co_return fail(std::move(totals.error()));
  write_business_totals(out, *totals);
  auto jobs = co_await count_open_jobs(s.db);
  if (!jobs) co_return fail(std::move(jobs.error()));
  write_jobs(out, *jobs);
  auto processes = co_await list_processes(s.db);
  if (!processes) co_return fail(std::move(processes.error()));
  write_processes(out, *processes);
  co_return Reply{200, std::move(out), kContentType, {}};
}

}  // namespace

void add_metrics_routes(http::Router& router, const Services& s) {
  router.add(http::Method::get, "/metrics",
             [&s](const Request& req) { return get_metrics(s, req); });
}

}  // namespace paygate::api
