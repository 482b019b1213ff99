#include "cli/options.h"

#include <cstdlib>
#include <iostream>

#include "app.h"

namespace paygate::cli {

po::options_description common_options() {
  po::options_description d("connection and output");
  d.add_options()("api", po::value<std::string>(),
                  "the paygate server's URL (env PAYGATE_API_URL, default http://127.0.0.1:8000)")(
      "key", po::value<std::string>(), "the merchant's API key (env PAYGATE_API_KEY)")(
      "secret", po::value<std::string>(), "the merchant's API secret (env PAYGATE_API_SECRET)")(
      "format", po::value<std::string>()->default_value("text"),
      "text (aligned; coloured on a terminal) or json (one JSON object per line)")(
      "help,h", "show this help");
  return d;
}

EnvLookup process_env_lookup() {
  return [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };
}

std::string opt(const po::variables_map& vm, const char* name) {
  if (!vm.count(name)) return "";
  return vm[name].as<std::string>();
}

CommonOptions resolve_common(const po::variables_map& vm, const EnvLookup& env, bool need_secret) {
  CommonOptions c;
  const auto pick = [&](const char* flag, const char* var) -> std::optional<std::string> {
    if (vm.count(flag)) return vm[flag].as<std::string>();
    return env(var);
  };
  const std::string url = pick("api", "PAYGATE_API_URL").value_or(std::string(kDefaultApiUrl));
  const auto normal = normalize_api_url(url);
  if (!normal) throw CliError("--api: '" + url + "' is not an http(s) URL", kExitUsage);
  c.api.url = *normal;
  c.api.key = pick("key", "PAYGATE_API_KEY").value_or("");
  c.api.secret = pick("secret", "PAYGATE_API_SECRET").value_or("");
  if (c.api.key.empty())
    throw CliError("no API key: give --key or set PAYGATE_API_KEY", kExitUsage);
  if (need_secret && c.api.secret.empty()) {
    throw CliError("no API secret: give --secret or set PAYGATE_API_SECRET", kExitUsage);
  }
  const std::string format = opt(vm, "format");
  if (!format.empty() && !parse_format(format, c.format)) {
    throw CliError("--format: '" + format + "' is not text or json", kExitUsage);
  }
  return c;
}

VerbArgs parse_verb(const std::vector<std::string>& args, const po::options_description& options,
                    const po::options_description& hidden,
                    const std::vector<std::string>& positionals) {
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description pos;
  for (const auto& name : positionals) pos.add(name.c_str(), 1);
  VerbArgs out;
  try {
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), out.vm);
    po::notify(out.vm);
  } catch (const po::error& e) {
    throw CliError(e.what(), kExitUsage);
  }
  out.help = out.vm.count("help") > 0;
  return out;
}

void print_help(std::string_view usage, std::string_view about,
                const po::options_description& options) {
  std::cout << "usage: " << usage << "\n\n" << about << "\n\n" << options << "\n";
}

}  // namespace paygate::cli
