// Writes JSON straight into one string: no intermediate DOM for the responses
// the server renders on every request, and stored JSON (order notes) can be
// spliced in as it is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace paygate {

class JsonWriter {
 public:
  explicit JsonWriter(std::size_t reserve = 512) { out_.reserve(reserve); }

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view v);
  JsonWriter& value(const char* v) { return value(std::string_view(v)); }
  JsonWriter& value(std::int64_t v);
  JsonWriter& value(bool v);
  JsonWriter& value(double v);
  JsonWriter& null();
  // Already-serialized JSON, written as it is.
  JsonWriter& raw(std::string_view json);
  // The ISO 8601 timestamp of a microsecond time, as a string.
  JsonWriter& timestamp(std::int64_t micros);

  template <class T>
  JsonWriter& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }
  JsonWriter& field(std::string_view k, const std::optional<std::string>& v) {
    key(k);
    return v ? value(std::string_view(*v)) : null();
  }

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void separate();
  std::string out_;
  bool need_comma_ = false;
};

// Appends s to out as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view s);

}  // namespace paygate
