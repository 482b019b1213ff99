// Reading a JSON request body: one object, each field checked for its type,
// each failure a 400 that names the field.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace paygate::api {

Result<boost::json::object> parse_json_object(std::string_view body);

// Absent and null are both "not given".
Result<std::optional<std::int64_t>> optional_int(const boost::json::object& o,
                                                 std::string_view key);
Result<std::int64_t> required_int(const boost::json::object& o, std::string_view key);
Result<std::optional<std::string>> optional_string(const boost::json::object& o,
                                                   std::string_view key);
Result<std::optional<boost::json::object>> optional_object(const boost::json::object& o,
                                                           std::string_view key);

// A query parameter that must be a whole number when present.
Result<std::optional<std::int64_t>> parse_query_int(const std::optional<std::string>& text,
                                                    std::string_view name);

}  // namespace paygate::api
