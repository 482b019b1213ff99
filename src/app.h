// The commands of the paygate binary, each given a resolved Config.
#pragma once

#include <string>

#include "config/config.h"

namespace paygate {

// Exit codes: 0 done, 1 failed while running, 2 bad usage or configuration.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

int run_serve(const Config& config);
int run_worker(const Config& config);
int run_migrate(const Config& config);
// Makes a master key: printed, or written to a new file (mode 0600) at out_path.
int run_keygen(const std::string& out_path);
int run_merchant_create(const Config& config, std::string name, std::string email);
int run_merchant_list(const Config& config);

}  // namespace paygate
