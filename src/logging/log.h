// Logging: spdlog set up once from the configuration, in readable text or one
// JSON object per line (PAYGATE_LOG_FORMAT=json), and structured events whose
// fields come out as key=value pairs in text and as JSON members in JSON.
// Never pass a secret, card number or CVV as a field.
#pragma once

#include <spdlog/spdlog.h>

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <variant>

#include "config/config.h"

namespace paygate::logging {

void setup(const Config& config);
// Flushes the asynchronous sink (call before the process exits).
void shutdown();

struct Field {
  std::string_view key;
  std::variant<std::string_view, std::int64_t, double> value;
};

// One event line, e.g. event(info, "request", {{"status", 201}, ...}).
void event(spdlog::level::level_enum level, std::string_view name,
           std::initializer_list<Field> fields);

}  // namespace paygate::logging
