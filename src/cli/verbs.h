// The CLI verbs that talk to a running server (commands.cpp dispatches).
// Each parses its own arguments, returns the exit code and throws CliError
// for a failure that ends it.
#pragma once

#include <string>
#include <vector>

namespace paygate::cli {

int run_listen(const std::vector<std::string>& args);
int run_trigger(const std::vector<std::string>& args);
int run_logs(const std::vector<std::string>& args);
int run_events(const std::vector<std::string>& args);

}  // namespace paygate::cli
