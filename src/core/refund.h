// A refund: money of a captured payment given back, in full or in part.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/paging.h"

namespace paygate {

// Upper case, like payments (the document's create example shows lower case;
// the system it describes answers upper case).
inline constexpr std::string_view kRefundPending = "PENDING";
inline constexpr std::string_view kRefundProcessed = "PROCESSED";
inline constexpr std::string_view kRefundFailed = "FAILED";

inline constexpr std::string_view kJobProcessRefund = "refund.process";
inline constexpr std::size_t kMaxRefundReasonLength = 255;

struct Refund {
  std::string id;
  std::string payment_id;
  std::string merchant_id;
  std::int64_t amount = 0;
  std::string currency;  // its payment's
  std::string status;
  std::optional<std::string> reason;
  std::string notes_json = "{}";  // a JSON object with string values, as stored
  std::optional<std::string> error_code;
  std::optional<std::string> error_description;
  std::optional<Micros> processing_started_at;
  std::int64_t version = 1;  // bumped by every change
  Micros created_at = 0;
  Micros updated_at = 0;
};

struct NewRefund {
  std::string payment_id;
  std::optional<std::int64_t> amount;  // what is left when not given
  std::optional<std::string> reason;
  boost::json::object notes;
};

struct RefundPage {
  PageWindow window;
  std::string payment_id;  // "" for any
};

// null, "partial" or "full", from what was refunded of what was paid.
inline std::optional<std::string_view> refund_status(std::int64_t refunded, std::int64_t amount) {
  if (refunded <= 0) return std::nullopt;
  return refunded >= amount ? std::string_view("full") : std::string_view("partial");
}

}  // namespace paygate
