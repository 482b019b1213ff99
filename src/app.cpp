#include "app.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <future>
#include <memory>
#include <thread>

#include "api/razorpay/webhook_events.h"
#include "api/routes.h"
#include "app_keys.h"
#include "core/event_hub.h"
#include "core/event_log.h"
#include "core/idempotency.h"
#include "core/ids.h"
#include "core/json_writer.h"
#include "core/master_key.h"
#include "core/merchants.h"
#include "core/payments.h"
#include "core/process_registry.h"
#include "core/processor.h"
#include "core/refunds.h"
#include "core/stats.h"
#include "core/thread_name.h"
#include "core/webhooks.h"
#include "http/server.h"
#include "jobs/runner.h"
#include "service/systemd.h"
#include "service/watchdog.h"
#include "store/event_repository.h"
#include "store/job_repository.h"
#include "store/merchant_repository.h"
#include "webhooks/deliverer.h"
#include "webhooks/delivery_pool.h"

namespace paygate {

namespace {

std::unique_ptr<store::Database> open_or_report(const Config& config, int readers,
                                                metrics::Registry* metrics = nullptr,
                                                int pool_size = 1) {
  store::DatabaseOptions options;
  options.readers = readers;
  options.pool_size = pool_size;
  options.statement_timeout_ms = config.db_statement_timeout_ms;
  options.max_queued_writes = static_cast<std::size_t>(config.max_queued_writes);
  options.max_queued_reads = static_cast<std::size_t>(config.max_queued_reads);
  if (metrics != nullptr) {
    static constexpr double kBatchSizes[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
    options.commit_seconds =
        &metrics->histogram("paygate_db_commit_duration_seconds",
                            "Time a database COMMIT takes (durable).", metrics::latency_buckets());
    options.commit_batch_size =
        &metrics->histogram("paygate_db_commit_batch_size",
                            "Writes committed together in one transaction.", kBatchSizes);
    options.read_batch_size = &metrics->histogram(
        "paygate_db_read_batch_size",
        "Reads sent to the database together (PostgreSQL pipelines them; SQLite: 1).", kBatchSizes);
  }
  auto db = store::open_database(config.database, options);
  if (!db) {
    std::fprintf(stderr, "paygate: %s\n", db.error().description.c_str());
    return nullptr;
  }
  if (auto s = (*db)->migrate(); !s) {
    std::fprintf(stderr, "paygate: %s\n", s.error().description.c_str());
    return nullptr;
  }
  return std::move(*db);
}

sigset_t shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

// Blocks SIGINT and SIGTERM in this thread and every thread started after it,
// so that only SignalWatcher receives them. Call before starting any thread.
void block_shutdown_signals() {
  const sigset_t set = shutdown_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

// Waits for SIGINT or SIGTERM on its own thread and calls on_signal once.
class SignalWatcher {
 public:
  template <class F>
  explicit SignalWatcher(F on_signal) {
    const sigset_t set = shutdown_signals();
    thread_ = named_thread("signals", [this, set, on_signal] {
      const timespec tick{0, 100'000'000};
      while (!done_) {
        const int sig = sigtimedwait(&set, nullptr, &tick);
        if (sig == SIGINT || sig == SIGTERM) {
          spdlog::info("received {}, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
          on_signal();
          return;
        }
      }
    });
  }
  ~SignalWatcher() {
    done_ = true;
    thread_.join();
  }
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

 private:
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace

namespace {

// Test mode: the demo merchant, made in an empty database, and its key
// enabled again if a live start disabled it; its (published) secret sealed
// like any other, so that its checkout results are signed.
Status seed_demo_merchant(store::Database& db, const SecretBox& box) {
  const Merchant demo = demo_merchant();
  return store::write_sync(db, [&](store::Connection& c) -> Status {
    if (auto s = store::insert_merchant_if_none(c, demo); !s) return fail(s.error());
    if (auto s = store::set_merchant_disabled(c, demo.id, false, now_micros()); !s) {
      return fail(s.error());
    }
    return to_status(store::seal_merchant_secret(c, box, demo.id, kDemoApiSecret));
  });
}

// An API outside test mode: the demo merchant's published credentials must
// not work, so its key is disabled (said once, when it is).
Status disable_demo_merchant(store::Database& db) {
  bool disabled = false;
  auto s = store::write_sync(db, [&](store::Connection& c) -> Status {
    auto changed = store::set_merchant_disabled(c, kDemoMerchantId, true, now_micros());
    if (!changed) return fail(changed.error());
    disabled = *changed;
    return {};
  });
  if (s && disabled) {
    spdlog::warn("test mode is off: the demo merchant's key {} is disabled", kDemoApiKey);
  }
  return s;
}

// The exit code of a failure to set up: a usage error says the configuration is wrong.
int exit_code_of(const Error& e) {
  return e.code == ErrorCode::bad_request ? kExitUsage : kExitFailure;
}

// A live start without a master key: said (one line naming paygate keygen)
// before anything is opened or made.
bool missing_master_key(const Config& config) {
  if (!config.master_key.empty() || config.test_mode) return false;
  std::fprintf(stderr, "paygate: %s\n", load_key_ring(config).error().description.c_str());
  return true;
}

// The master key's keys, bound to the database; nothing (having said why) when
// they cannot be: *exit_code then says how to exit.
std::optional<SecretBox> open_keys(const Config& config, store::Database& db, int* exit_code) {
  auto keys = load_key_ring(config);
  if (keys) {
    SecretBox box(std::move(*keys));
    auto bound = bind_key_ring(db, box);
    if (bound) return box;
    keys = fail(std::move(bound.error()));
  }
  std::fprintf(stderr, "paygate: %s\n", keys.error().description.c_str());
  *exit_code = exit_code_of(keys.error());
  return std::nullopt;
}

// Pets systemd's watchdog while ask_loops' loops answer, when systemd asked
// for one (WatchdogSec=).
std::unique_ptr<service::Watchdog> start_watchdog(service::AskLoops ask_loops) {
  const auto interval = service::watchdog_interval();
  if (!interval) return nullptr;
  spdlog::info("systemd watchdog: every {} ms", interval->count() / 2000);
  return std::make_unique<service::Watchdog>(*interval, std::move(ask_loops),
                                             service::notify_alive);
}

// What this process says about itself in the processes table.
ProcessInfo this_process(bool api, bool workers) {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "unknown");
  return ProcessInfo{new_id("proc_"), api,         workers, host, std::int64_t{::getpid()},
                     PAYGATE_VERSION, now_micros()};
}

// Serves the API (run_api), runs the job workers (run_workers), or both, until
// SIGINT or SIGTERM.
int run_gateway(const Config& config, bool run_api, bool run_workers) {
  block_shutdown_signals();
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const auto started = std::chrono::steady_clock::now();
  if (missing_master_key(config)) return kExitUsage;
  metrics::Registry metrics;
  auto db = open_or_report(config, config.db_readers, &metrics, config.db_pool_size);
  if (!db) return kExitFailure;
  int keys_exit = kExitOk;
  const std::optional<SecretBox> box = open_keys(config, *db, &keys_exit);
  if (!box) {
    db->stop();
    return keys_exit;
  }

  // The API decides whether the demo merchant's key works: a worker (even one
  // started without --test-mode beside a test-mode API) authenticates no one.
  std::string default_key;
  const Status demo = !run_api           ? Status{}
                      : config.test_mode ? seed_demo_merchant(*db, *box)
                                         : disable_demo_merchant(*db);
  if (!demo) {
    std::fprintf(stderr, "paygate: the demo merchant: %s\n", demo.error().description.c_str());
    db->stop();
    return kExitFailure;
  }
  if (config.test_mode) default_key = std::string(kDemoApiKey);

  // This process's row in the processes table, before it serves or claims
  // anything: the rate limits' shares and the deployment's status count it.
  ProcessRegistry registry(*db, this_process(run_api, run_workers),
                           RegistryOptions{std::chrono::milliseconds(config.heartbeat_ms),
                                           std::chrono::milliseconds(config.process_expiry_ms),
                                           config.database.kind == DatabaseUrl::Kind::postgres});
  if (auto s = registry.start(); !s) {
    std::fprintf(stderr, "paygate: registering this process: %s\n", s.error().description.c_str());
    registry.stop();
    db->stop();
    return kExitFailure;
  }

  const std::string& card_key = box->keys().current.card_fingerprint;
  const SimulatedProcessor processor(card_key, config.failure_rate,
                                     Micros{config.sandbox_delay_ms} * 1000);
  // Declared before the runner: jobs in flight may wait on it until the runner stops.
  webhooks::DeliveryPool delivery_pool(run_workers ? config.webhook_concurrency : 0);
  // Each queue its own budget, so that no queue's backlog holds up another's
  // work; deliveries are claimed only as delivery threads free up.
  jobs::JobRunner runner(*db, jobs::RunnerOptions{
                                  {{std::string(kQueuePayments), config.worker_concurrency},
                                   {std::string(kQueueRefunds), config.refund_concurrency},
                                   {std::string(kQueueWebhooks), config.webhook_concurrency}},
                                  std::chrono::milliseconds(config.job_lease_ms),
                                  std::chrono::milliseconds(config.job_poll_ms),
                                  &metrics,
                                  config.job_max_deferrals,
                                  registry.id(),
                              });
  MerchantDirectory merchants(*db, *box);
  OrderService orders(*db);
  // The shapes webhook events may take: paygate's own and Razorpay's.
  const api::razorpay::WebhookEvents razorpay_events;
  const EventFormats event_formats({&razorpay_events});
  PaymentService payments(
      *db, processor, event_formats,
      PaymentSettings{std::int64_t{config.processing_delay_ms} * 1000,
                      std::int64_t{config.processing_timeout_ms} * 1000, card_key,
                      std::int64_t{config.authentication_timeout_ms} * 1000},
      run_workers ? std::function<void()>([&runner] { runner.notify(); }) : nullptr);

  RefundService refunds(
      *db, processor, event_formats,
      RefundSettings{std::int64_t{config.processing_delay_ms} * 1000,
                     std::int64_t{config.refund_timeout_ms} * 1000},
      run_workers ? std::function<void()>([&runner] { runner.notify(); }) : nullptr);

  WebhookService webhook_service(
      *db, *box, event_formats,
      run_workers ? std::function<void()>([&runner] { runner.notify(); }) : nullptr);
  std::vector<std::chrono::milliseconds> schedule;
  for (int ms : config.webhook_retry_schedule_ms) schedule.emplace_back(ms);
  webhooks::Deliverer deliverer(
      *db, *box, delivery_pool,
      webhooks::DeliverySettings{std::move(schedule),
                                 std::chrono::milliseconds(config.webhook_timeout_ms),
                                 config.webhook_allow_private},
      &metrics);
  StatsService stats(*db);
  EventLogService event_log(
      *db, Micros{config.event_retention_days} * 86'400 * 1'000'000,
      run_workers ? std::function<void()>([&runner] { runner.notify(); }) : nullptr);
  IdempotencyService idempotency(*db, *box, std::int64_t{config.idempotency_ttl_ms} * 1000,
                                 std::int64_t{config.idempotency_lock_ms} * 1000);

  if (run_workers) {
    runner.every(std::chrono::milliseconds(config.idempotency_purge_interval_ms),
                 "idempotency key purge", [&idempotency] { return idempotency.purge_expired(); });
    runner.every(std::chrono::milliseconds(config.event_purge_interval_ms), "events purge",
                 [&event_log] { return event_log.purge_expired(); });
    runner.on(kJobProcessPayment, [&payments](const Job& job) { return payments.process(job); });
    runner.on(kJobProcessRefund, [&refunds](const Job& job) { return refunds.process(job); });
    runner.on(kJobDeliverWebhook, [&deliverer](const Job& job) { return deliverer.process(job); });
    if (config.test_mode) {
      runner.on(kJobTestCrash, [](const Job& job) -> boost::asio::awaitable<Status> {
        std::fprintf(stderr, "paygate: job %s (%s) ends this process, as a crash would\n",
                     job.id.c_str(), job.kind.c_str());
        std::_Exit(70);
        co_return Status{};
      });
    }
    runner.every(std::chrono::milliseconds(config.reconcile_interval_ms), "reconciliation",
                 [&payments] { return payments.reconcile(); });
    runner.every(std::chrono::milliseconds(config.reconcile_interval_ms), "refund reconciliation",
                 [&refunds] { return refunds.reconcile(); });
    runner.start();
    // Jobs enqueued by other processes (API servers, other workers) wake this
    // one at once where the database can say so; the poll stays as a fallback.
    db->listen(store::kJobsChannel, [&runner] { runner.notify(); });
  }

  // Live streams: woken by this process's commits and (PostgreSQL) every
  // other's. Outlives the database's listener, which stops with db->stop().
  std::optional<EventHub> event_hub;
  if (run_api) {
    event_hub.emplace(*db, std::chrono::milliseconds(config.stream_poll_ms));
    db->listen(store::kEventsChannel, [&event_hub] { event_hub->signal(); });
  }
  StreamCounter streams(StreamLimits{config.max_streams, config.max_streams_per_merchant});
  http::RequestLog request_log;

  int exit_code = kExitOk;
  if (run_api) {
    const auto api_processes = [&registry] { return registry.api_processes(); };
    const api::Services services{
        config,      *db,          merchants,   orders,
        payments,    refunds,      idempotency, webhook_service,
        stats,       metrics,      started,     [&runner] { return runner.running(); },
        default_key, event_log,    *event_hub,  streams,
        request_log, api_processes};
    http::Router router;
    api::add_routes(router, services);
    http::HttpMetrics http_metrics(metrics, router);
    http::Server server(config, router, &http_metrics, &request_log);
    if (auto s = server.listen(); !s) {
      std::fprintf(stderr, "paygate: %s\n", s.error().description.c_str());
      exit_code = kExitFailure;
    } else {
      SignalWatcher signals([&server] {
        service::notify_stopping();
        server.shutdown();
      });
      spdlog::info(
          "paygate {} listening on {}:{} ({} threads, workers {}, database {}, test mode {})",
          PAYGATE_VERSION, config.listen_host, server.port(), config.threads,
          run_workers ? "on" : "off", config.database.redacted(), config.test_mode ? "on" : "off");
      // Every I/O thread, and the job runner's, must answer for a pet.
      const auto watchdog = start_watchdog([&](const std::function<void()>& answer) {
        int asked = server.post_to_io_threads(answer);
        if (run_workers) {
          runner.post(answer);
          ++asked;
        }
        return asked;
      });
      server.run([&config, port = server.port()] {
        service::notify_ready(fmt::format("serving on {}:{}", config.listen_host, port));
      });
      // The database may still be finishing work for the server's threads
      // (its answers hold their io_contexts): let it end before the server,
      // and with it those io_contexts, go away.
      registry.stop();
      runner.stop();
      db->stop();
    }
  } else {
    std::promise<void> stop;
    SignalWatcher signals([&stop] {
      service::notify_stopping();
      stop.set_value();
    });
    spdlog::info("paygate {} worker running (database {})", PAYGATE_VERSION,
                 config.database.redacted());
    const auto watchdog = start_watchdog([&runner](const std::function<void()>& answer) {
      runner.post(answer);
      return 1;
    });
    service::notify_ready("running jobs");
    stop.get_future().wait();
  }
  registry.stop();
  runner.stop();
  db->stop();
  if (exit_code == kExitOk) spdlog::info("stopped");  // a failed start says why, and only that
  return exit_code;
}

}  // namespace

int run_serve(const Config& config) {
  return run_gateway(config, true, config.run_workers);
}

int run_worker(const Config& config) {
  return run_gateway(config, false, true);
}

int run_migrate(const Config& config) {
  if (missing_master_key(config)) return kExitUsage;
  auto db = open_or_report(config, 1);
  if (!db) return kExitFailure;
  int keys_exit = kExitOk;
  const bool bound = open_keys(config, *db, &keys_exit).has_value();
  db->stop();
  if (!bound) return keys_exit;
  std::printf("migrations applied\n");
  return kExitOk;
}

int run_keygen(const std::string& out_path) {
  const std::string key = new_master_key_text() + "\n";
  if (out_path.empty()) {
    std::fputs(key.c_str(), stdout);
    return kExitOk;
  }
  // O_EXCL: an existing key file is never overwritten (that would lose the
  // key its database is used with).
  const int fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    std::fprintf(stderr, "paygate: cannot make %s: %s\n", out_path.c_str(), std::strerror(errno));
    return kExitFailure;
  }
  const bool written = ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size());
  const bool closed = ::close(fd) == 0;
  if (!written || !closed) {
    std::fprintf(stderr, "paygate: cannot write %s\n", out_path.c_str());
    return kExitFailure;
  }
  std::printf("master key written to %s\n", out_path.c_str());
  return kExitOk;
}

int run_merchant_create(const Config& config, std::string name, std::string email) {
  if (auto s = validate_merchant_fields(name, email); !s) {
    std::fprintf(stderr, "paygate: %s\n", s.error().description.c_str());
    return kExitUsage;
  }
  auto db = open_or_report(config, 1);
  if (!db) return kExitFailure;
  // With the master key (given, or test mode's own) the secret is sealed as it
  // is made; without one, by the merchant's first authenticated request.
  const bool sealing = !config.master_key.empty() || config.test_mode;
  int keys_exit = kExitOk;
  const std::optional<SecretBox> box =
      sealing ? open_keys(config, *db, &keys_exit) : std::optional<SecretBox>();
  if (sealing && !box) {
    db->stop();
    return keys_exit;
  }
  const CreatedMerchant created = make_merchant(std::move(name), std::move(email));
  auto s = store::write_sync(*db, [&](store::Connection& c) -> Status {
    if (auto inserted = store::insert_merchant(c, created.merchant); !inserted) return inserted;
    if (!box) return {};
    return to_status(store::seal_merchant_secret(c, *box, created.merchant.id, created.api_secret));
  });
  db->stop();
  if (!s) {
    std::fprintf(stderr, "paygate: %s\n", s.error().description.c_str());
    return kExitFailure;
  }
  JsonWriter w;
  w.begin_object()
      .field("id", std::string_view(created.merchant.id))
      .field("name", std::string_view(created.merchant.name))
      .field("email", std::string_view(created.merchant.email))
      .field("api_key", std::string_view(created.merchant.api_key))
      .field("api_secret", std::string_view(created.api_secret))
      .end_object();
  std::printf("%s\n", w.str().c_str());
  return kExitOk;
}

int run_merchant_list(const Config& config) {
  auto db = open_or_report(config, 1);
  if (!db) return kExitFailure;
  std::vector<Merchant> merchants;
  auto s = store::read_sync(*db, [&](store::Connection& c) -> Status {
    auto r = store::list_merchants(c);
    if (!r) return fail(r.error());
    merchants = std::move(*r);
    return {};
  });
  db->stop();
  if (!s) {
    std::fprintf(stderr, "paygate: %s\n", s.error().description.c_str());
    return kExitFailure;
  }
  JsonWriter w;
  w.begin_array();
  for (const auto& m : merchants) {
    w.begin_object()
        .field("id", std::string_view(m.id))
        .field("name", std::string_view(m.name))
        .field("email", std::string_view(m.email))
        .field("api_key", std::string_view(m.api_key));
    w.key("created_at").timestamp(m.created_at);
    w.end_object();
  }
  w.end_array();
  std::printf("%s\n", w.str().c_str());
  return kExitOk;
}

}  // namespace paygate
