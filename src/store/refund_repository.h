// SQL for refunds.
#pragma once

#include <optional>
#include <vector>

#include "core/refund.h"
#include "store/database.h"

namespace paygate::store {

Status insert_refund(Connection& conn, const Refund& r);
// Writes the mutable fields and bumps the version (in r too), only if the
// stored row is still the version r was read at (else Error::conflict).
// previous_status: r's status as it was read. Both keep the stats totals.
Status update_refund(Connection& conn, Refund& r, std::string_view previous_status);
Result<std::optional<Refund>> find_refund(Connection& conn, std::string_view merchant_id,
                                          std::string_view id);
Result<std::optional<Refund>> find_refund_any(Connection& conn, std::string_view id);
Result<std::vector<Refund>> list_refunds(Connection& conn, std::string_view merchant_id,
                                         const RefundPage& page);
// Refunds still PENDING that were created before `before`, oldest first.
Result<std::vector<Refund>> find_stale_refunds(Connection& conn, Micros before, int limit);
// The sum of the payment's refunds that are not FAILED: what is spoken for.
Result<std::int64_t> refunds_committed(Connection& conn, std::string_view payment_id);
// Adds amount to the payment's amount_refunded (when a refund is PROCESSED)
// and bumps its version: refund_status and updated_at change with it, so a
// payment read before and after differ in version too. It adds to the stored
// value rather than writing one read earlier, so it needs no version check;
// a read-modify-write of the payment beside it fails its own check instead.
Status add_amount_refunded(Connection& conn, std::string_view payment_id, std::int64_t amount,
                           Micros now);
// Takes the payment's row lock (PostgreSQL) so refunds of one payment are
// decided one at a time; SQLite's single writer already serialises them.
Status lock_payment(Connection& conn, std::string_view payment_id);

}  // namespace paygate::store
