#include "api/body.h"

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <charconv>

namespace paygate::api {

namespace {

const boost::json::value* find(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return (v == nullptr || v->is_null()) ? nullptr : v;
}

Error wrong_type(std::string_view key, std::string_view what) {
  return Error::bad_request(std::string(key) + " must be " + std::string(what), std::string(key));
}

}  // namespace

Result<boost::json::object> parse_json_object(std::string_view body) {
  boost::json::parse_options options;
  options.max_depth = 32;
  boost::system::error_code ec;
  auto value = boost::json::parse(body, ec, {}, options);
  if (ec) return fail(Error::bad_request("the request body is not valid JSON"));
  if (!value.is_object()) return fail(Error::bad_request("the request body must be a JSON object"));
  return std::move(value.as_object());
}

Result<std::optional<std::int64_t>> optional_int(const boost::json::object& o,
                                                 std::string_view key) {
  const auto* v = find(o, key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return fail(wrong_type(key, "an integer within range"));
  return fail(wrong_type(key, "an integer"));
}

Result<std::int64_t> required_int(const boost::json::object& o, std::string_view key) {
  auto v = optional_int(o, key);
  if (!v) return fail(v.error());
  if (!*v) return fail(Error::bad_request(std::string(key) + " is required", std::string(key)));
  return **v;
}

Result<std::optional<std::string>> optional_string(const boost::json::object& o,
                                                   std::string_view key) {
  const auto* v = find(o, key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) return fail(wrong_type(key, "a string"));
  return std::string(v->get_string());
}

Result<std::optional<boost::json::object>> optional_object(const boost::json::object& o,
                                                           std::string_view key) {
  const auto* v = find(o, key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_object()) return fail(wrong_type(key, "an object"));
  return v->get_object();
}

Result<std::optional<std::int64_t>> parse_query_int(const std::optional<std::string>& text,
                                                    std::string_view name) {
  if (!text) return std::nullopt;
  std::int64_t value = 0;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (text->empty() || ec != std::errc() || p != text->data() + text->size()) {
    return fail(
        Error::bad_request(std::string(name) + " must be a whole number", std::string(name)));
  }
  return value;
}

}  // namespace paygate::api
