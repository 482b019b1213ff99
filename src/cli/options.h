// The options every CLI verb shares (--api, --key, --secret, --format and
// their PAYGATE_API_* variables), and the small helpers each verb's parsing
// uses, so that every verb answers --help and usage errors the same way.
#pragma once

#include <boost/program_options.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cli/api.h"
#include "cli/output.h"

namespace paygate::cli {

namespace po = boost::program_options;

inline constexpr std::string_view kDefaultApiUrl = "http://127.0.0.1:8000";

struct CommonOptions {
  ApiConfig api;
  Format format = Format::kText;
};

// --api, --key, --secret, --format and --help.
po::options_description common_options();

// The environment as the CLI reads it (a function, so tests give their own).
using EnvLookup = std::function<std::optional<std::string>(const char*)>;
EnvLookup process_env_lookup();

// Flags first, then PAYGATE_API_URL / PAYGATE_API_KEY / PAYGATE_API_SECRET,
// then the default URL. need_secret: false for what only names a state
// (listen --print-secret). Throws CliError (exit 2) for a bad URL or format
// or a missing credential.
CommonOptions resolve_common(const po::variables_map& vm, const EnvLookup& env,
                             bool need_secret = true);

// A verb's command line parsed against its options, hidden ones (the
// positional arguments' names, given in order in positionals; any other
// positional is refused). Throws CliError (exit 2) on bad usage.
struct VerbArgs {
  po::variables_map vm;
  bool help = false;
};
VerbArgs parse_verb(const std::vector<std::string>& args, const po::options_description& options,
                    const po::options_description& hidden = po::options_description(),
                    const std::vector<std::string>& positionals = {});

// What --help prints: the usage line, what it does, then the options.
void print_help(std::string_view usage, std::string_view about,
                const po::options_description& options);

// The value of an option, or "".
std::string opt(const po::variables_map& vm, const char* name);

}  // namespace paygate::cli
