// Time as integer microseconds since the Unix epoch (UTC): what the database
// stores and what the contract's ISO 8601 strings are rendered from.
#pragma once

#include <cstdint>
#include <string>

namespace paygate {

using Micros = std::int64_t;

Micros now_micros();

// "2026-01-16T11:01:02.771058Z"
std::string format_iso8601(Micros t);
// Appends the same 27 characters to out, without a temporary string.
void append_iso8601(std::string& out, Micros t);

}  // namespace paygate
