#include "api/razorpay/input.h"

#include "api/body.h"

namespace paygate::api::razorpay {

Result<boost::json::object> notes_of(const boost::json::object& body) {
  const auto* v = body.if_contains("notes");
  if (v == nullptr || v->is_null()) return boost::json::object{};
  if (v->is_array() && v->get_array().empty()) return boost::json::object{};
  if (!v->is_object()) return fail(Error::bad_request("notes must be an object", "notes"));
  return v->get_object();
}

Result<boost::json::object> notes_update(std::string_view text) {
  auto body = parse_json_object(text);
  if (!body) return fail(std::move(body.error()));
  for (const auto& [key, value] : *body) {
    if (key != "notes") {
      return fail(Error::bad_request(
          std::string(key) + " is/are not required and should not be sent", std::string(key)));
    }
  }
  if (!body->contains("notes")) return fail(Error::bad_request("notes is required", "notes"));
  return notes_of(*body);
}

}  // namespace paygate::api::razorpay
