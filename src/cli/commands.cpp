#include "cli/commands.h"

#include <exception>

#include "app.h"
#include "cli/api.h"
#include "cli/fixtures.h"
#include "cli/http_client.h"
#include "cli/output.h"
#include "cli/verbs.h"

namespace paygate::cli {

bool is_client_command(std::string_view command) {
  return command == "listen" || command == "trigger" || command == "logs" || command == "events" ||
         command == "fixtures";
}

int run_client_command(std::string_view command, const std::vector<std::string>& args) {
  try {
    http_global_init();
    if (command == "listen") return run_listen(args);
    if (command == "trigger") return run_trigger(args);
    if (command == "logs") return run_logs(args);
    if (command == "events") return run_events(args);
    if (command == "fixtures") return run_fixtures(args);
    note("unknown command '" + std::string(command) + "' (see 'paygate --help')");
    return kExitUsage;
  } catch (const CliError& e) {
    if (e.exit_code() == kExitUsage) {
      note(std::string(e.what()) + " (see 'paygate " + std::string(command) + " --help')");
    } else {
      note(e.what());
    }
    return e.exit_code();
  } catch (const std::exception& e) {
    note(e.what());
    return kExitFailure;
  }
}

}  // namespace paygate::cli
