// paygate fixtures load FILE: the objects a JSON file describes (webhook
// endpoints, orders, payments with their instruments, refunds), made through
// a running server's merchant API, each able to refer to an earlier one's id
// (fixtures_refs.h); prints what it made. docs/API.md, "Testing".
#pragma once

#include <string>
#include <vector>

namespace paygate::cli {

// `paygate fixtures ...`, a verb of commands.cpp's (verbs.h): its exit code,
// or CliError for a failure that ends it.
int run_fixtures(const std::vector<std::string>& args);

}  // namespace paygate::cli
