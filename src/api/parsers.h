// The JSON body parsers of the API, callable on their own: the fuzz targets
// (fuzz/) feed them arbitrary objects. Each is the one its handler uses.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/order.h"
#include "core/payments.h"
#include "core/refund.h"

namespace paygate::api::parsers {

Result<NewOrder> new_order(const boost::json::object& body);
// flat_card: the card came in the document's flat shape (card_number, ...).
Result<NewPayment> new_payment(const boost::json::object& body, bool& flat_card);
Result<NewRefund> new_refund(const boost::json::object& body);
// A webhook's "events" list, when given.
Result<std::optional<std::vector<std::string>>> webhook_events(const boost::json::object& body);

}  // namespace paygate::api::parsers
