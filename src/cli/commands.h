// The developer CLI's entry for main: `paygate listen | trigger | logs |
// events | fixtures`, the verbs that talk to a running paygate over HTTP.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace paygate::cli {

bool is_client_command(std::string_view command);

// Runs the verb; its exit code (0, 1 failure, 2 usage). Errors are printed on
// stderr as one "paygate: ..." line; never throws.
int run_client_command(std::string_view command, const std::vector<std::string>& args);

}  // namespace paygate::cli
