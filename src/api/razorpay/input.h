// What the Razorpay dialect's request bodies share: notes, and the checks
// Razorpay makes that paygate's own API does not.
#pragma once

#include <boost/json/object.hpp>

#include "core/error.h"

namespace paygate::api::razorpay {

// The body's "notes": an object, absent meaning none. Razorpay's SDKs also
// send an empty array for no notes.
Result<boost::json::object> notes_of(const boost::json::object& body);

// A PATCH body: {"notes": {...}} and nothing else Razorpay lets change.
Result<boost::json::object> notes_update(std::string_view body);

}  // namespace paygate::api::razorpay
