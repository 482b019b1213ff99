// paygate fixtures load FILE: the objects a JSON file describes (webhook
// endpoints, orders, payments with their instruments, refunds), made through
// a running server's merchant API, each able to refer to an earlier one's id
// (fixtures_refs.h); prints what it made. docs/API.md, "Testing".
#pragma once

#include <string>
#include <vector>

namespace paygate::cli {

// `paygate fixtures ...` from main: its exit code (0, 1 failure, 2 usage);
// errors are one "paygate: ..." line on stderr. Never throws.
int run_fixtures_command(const std::vector<std::string>& args);

}  // namespace paygate::cli
