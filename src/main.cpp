// paygate: serve | worker | migrate | keygen | merchant create | merchant list | version,
// and the developer CLI (src/cli): listen | trigger | logs tail | events.
#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "app.h"
#include "cli/commands.h"
#include "config/config.h"
#include "git_commit.h"
#include "logging/log.h"

namespace po = boost::program_options;

namespace {

constexpr const char* kUsage =
    "usage: paygate <command> [options]\n"
    "\n"
    "commands:\n"
    "  serve               run the HTTP API and the job workers (--no-workers: the API only)\n"
    "  worker              run only the job workers\n"
    "  migrate             apply database migrations\n"
    "  keygen              make a master key (64 hex digits): --out FILE, or print it\n"
    "  merchant create     create a merchant: --name NAME --email EMAIL\n"
    "  merchant list       list merchants (no secrets)\n"
    "  version             print the version and the git commit it was built from\n"
    "\n"
    "developer commands, against a running server (--api URL --key K --secret S, or\n"
    "PAYGATE_API_URL, PAYGATE_API_KEY, PAYGATE_API_SECRET; --format text|json):\n"
    "  listen              forward live events to a URL, signed as webhooks are: --forward-to URL\n"
    "  trigger EVENT       make the objects that cause EVENT (trigger --list: which events)\n"
    "  logs tail           follow the merchant's API requests as they finish\n"
    "  events list         list stored events; events resend ID: deliver one again\n"
    "  fixtures load FILE  make the orders, payments, refunds and webhooks FILE describes\n"
    "\n"
    "Run 'paygate <command> --help' for a command's options.\n";

po::options_description database_options() {
  po::options_description d("database");
  d.add_options()("database", po::value<std::string>(),
                  "DATABASE_URL: sqlite:///abs.db, sqlite://rel.db or postgres://... "
                  "(env DATABASE_URL, default sqlite://./paygate.db)");
  return d;
}

// The keys that protect data at rest; serve, worker and migrate need them.
po::options_description key_options() {
  po::options_description d("keys");
  d.add_options()("master-key-file", po::value<std::string>(),
                  "file holding the master key, 64 hex digits from 'paygate keygen' "
                  "(env PAYGATE_MASTER_KEY_FILE, or the key itself in PAYGATE_MASTER_KEY; "
                  "required outside test mode)")(
      "previous-master-key-file", po::value<std::string>(),
      "while rotating: the master key being replaced (env PAYGATE_PREVIOUS_MASTER_KEY_FILE)");
  return d;
}

po::options_description migrate_options() {
  po::options_description d = database_options();
  d.add(key_options());
  return d;
}

po::options_description keygen_options() {
  po::options_description d("keygen options");
  d.add_options()("out", po::value<std::string>(),
                  "write the key to this new file (mode 0600) instead of printing it");
  return d;
}

po::options_description serve_options() {
  po::options_description d("serve options");
  d.add_options()("listen", po::value<std::string>(),
                  "HOST:PORT to listen on (env PAYGATE_LISTEN, default 127.0.0.1:8000)")(
      "test-mode", po::bool_switch(),
      "demo merchant and /test endpoints (env PAYGATE_TEST_MODE=1)")(
      "no-workers", po::bool_switch(), "serve the API only, run no job workers")(
      "threads", po::value<std::string>(), "I/O threads (env PAYGATE_THREADS, default: cores)")(
      "db-readers", po::value<std::string>(),
      "database reader connections (env PAYGATE_DB_READERS, default 2)")(
      "db-pool-size", po::value<std::string>(),
      "PostgreSQL write connections (env PAYGATE_DB_POOL_SIZE, default 4)")(
      "db-statement-timeout-ms", po::value<std::string>(),
      "PostgreSQL: longest a statement may run, 0 for no limit "
      "(env PAYGATE_DB_STATEMENT_TIMEOUT_MS, default 10000)")(
      "max-body-bytes", po::value<std::string>(),
      "largest request body (env PAYGATE_MAX_BODY_BYTES, default 65536)")(
      "max-connections", po::value<std::string>(),
      "most open connections (env PAYGATE_MAX_CONNECTIONS, default 10000)")(
      "max-streams", po::value<std::string>(),
      "most open event and request streams (env PAYGATE_MAX_STREAMS, default 1000; "
      "PAYGATE_MAX_STREAMS_PER_MERCHANT, default 20)")(
      "read-timeout-ms", po::value<std::string>(),
      "time to receive one request (env PAYGATE_READ_TIMEOUT_MS, default 10000)")(
      "idle-timeout-ms", po::value<std::string>(),
      "keep-alive idle time (env PAYGATE_IDLE_TIMEOUT_MS, default 60000)")(
      "shutdown-timeout-ms", po::value<std::string>(),
      "grace for requests in flight at shutdown (env PAYGATE_SHUTDOWN_TIMEOUT_MS, default 10000)")(
      "worker-concurrency", po::value<std::string>(),
      "jobs in flight per process (env PAYGATE_WORKER_CONCURRENCY, default 256)")(
      "heartbeat-ms", po::value<std::string>(),
      "how often this process renews its row in the processes table "
      "(env PAYGATE_HEARTBEAT_MS, default 2000)")(
      "process-expiry-ms", po::value<std::string>(),
      "a process silent this long no longer counts, e.g. for the rate limits' shares "
      "(env PAYGATE_PROCESS_EXPIRY_MS, default 6000)")(
      "log-level", po::value<std::string>(),
      "trace|debug|info|warn|error|off (env PAYGATE_LOG_LEVEL, default info)")(
      "log-format", po::value<std::string>(), "text|json (env PAYGATE_LOG_FORMAT, default text)")(
      "metrics-token-file", po::value<std::string>(),
      "file holding the bearer token /metrics requires, 32+ characters "
      "(env PAYGATE_METRICS_TOKEN_FILE, or the token itself in PAYGATE_METRICS_TOKEN; "
      "without one /metrics answers 401)");
  d.add(database_options());
  d.add(key_options());
  return d;
}

po::options_description merchant_create_options() {
  po::options_description d("merchant create options");
  d.add_options()("name", po::value<std::string>(), "merchant name (required)")(
      "email", po::value<std::string>(), "merchant email (required)");
  d.add(database_options());
  // The secret is sealed by the master key as it is made (for checkout signatures).
  d.add(key_options());
  return d;
}

struct Parsed {
  std::map<std::string, std::string> flags;
  po::variables_map vm;
  bool help = false;
};

// Parses args against options (plus --help); flags given become the map
// load_config reads. Throws po::error on bad usage.
Parsed parse(const std::vector<std::string>& args, po::options_description options) {
  options.add_options()("help,h", "show this help");
  Parsed p;
  // No positional arguments: an empty description makes any of them an error
  // instead of silently ignoring them (`--name Acme Corp` would drop "Corp").
  const po::positional_options_description no_positionals;
  po::store(po::command_line_parser(args).options(options).positional(no_positionals).run(), p.vm);
  po::notify(p.vm);
  p.help = p.vm.count("help") > 0;
  for (const auto& [name, value] : p.vm) {
    if (name == "help" || value.defaulted() || value.empty()) continue;
    if (const auto* b = boost::any_cast<bool>(&value.value())) {
      if (*b) p.flags[name] = "";
    } else {
      p.flags[name] = value.as<std::string>();
    }
  }
  return p;
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "paygate: %s (see 'paygate --help')\n", message.c_str());
  return paygate::kExitUsage;
}

int with_config(const Parsed& p, const po::options_description& options,
                const std::function<int(const paygate::Config&)>& run) {
  if (p.help) {
    std::cout << options << "\n";
    return paygate::kExitOk;
  }
  auto config = paygate::load_config(p.flags, paygate::process_env());
  if (!config) return usage_error(config.error().description);
  paygate::logging::setup(*config);
  const int code = run(*config);
  paygate::logging::shutdown();
  return code;
}

int run(const std::vector<std::string>& argv) {
  if (argv.empty() || argv[0] == "--help" || argv[0] == "-h" || argv[0] == "help") {
    std::fputs(kUsage, argv.empty() ? stderr : stdout);
    return argv.empty() ? paygate::kExitUsage : paygate::kExitOk;
  }
  const std::string& command = argv[0];
  std::vector<std::string> rest(argv.begin() + 1, argv.end());

  if (command == "version" || command == "--version") {
    std::printf("paygate %s (commit %s)\n", PAYGATE_VERSION, PAYGATE_GIT_COMMIT);
    return paygate::kExitOk;
  }
  // The developer CLI: HTTP clients of a running server, no database.
  if (paygate::cli::is_client_command(command)) {
    return paygate::cli::run_client_command(command, rest);
  }
  if (command == "serve") {
    const auto options = serve_options();
    return with_config(parse(rest, options), options, paygate::run_serve);
  }
  if (command == "worker") {
    const auto options = serve_options();
    return with_config(parse(rest, options), options, paygate::run_worker);
  }
  if (command == "keygen") {
    const auto options = keygen_options();
    const Parsed p = parse(rest, options);
    if (p.help) {
      std::cout << "usage: paygate keygen [--out FILE]\n\n" << options << "\n";
      return paygate::kExitOk;
    }
    return paygate::run_keygen(p.vm.count("out") ? p.vm["out"].as<std::string>() : "");
  }
  if (command == "migrate") {
    const auto options = migrate_options();
    return with_config(parse(rest, options), options, paygate::run_migrate);
  }
  if (command == "merchant") {
    if (rest.empty() || rest[0] == "--help" || rest[0] == "-h") {
      // Asked for: stdout, exit 0. A usage error: stderr, exit 2, as for a bare `paygate`.
      std::fputs(
          "usage: paygate merchant create --name NAME --email EMAIL [--database URL]\n"
          "                               [--master-key-file FILE]\n"
          "       paygate merchant list [--database URL]\n",
          rest.empty() ? stderr : stdout);
      return rest.empty() ? paygate::kExitUsage : paygate::kExitOk;
    }
    const std::string sub = rest[0];
    rest.erase(rest.begin());
    if (sub == "create") {
      const auto options = merchant_create_options();
      const Parsed p = parse(rest, options);
      if (!p.help && (!p.vm.count("name") || !p.vm.count("email"))) {
        return usage_error("merchant create needs --name and --email");
      }
      return with_config(p, options, [&](const paygate::Config& c) {
        return paygate::run_merchant_create(c, p.vm["name"].as<std::string>(),
                                            p.vm["email"].as<std::string>());
      });
    }
    if (sub == "list") {
      const auto options = database_options();
      return with_config(parse(rest, options), options, paygate::run_merchant_list);
    }
    return usage_error("unknown merchant command '" + sub + "'");
  }
  return usage_error("unknown command '" + command + "'");
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const po::error& e) {
    return usage_error(e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "paygate: %s\n", e.what());
    return paygate::kExitFailure;
  }
}
