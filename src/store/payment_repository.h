// SQL for payments.
#pragma once

#include <optional>
#include <vector>

#include "core/job.h"
#include "core/payment.h"
#include "store/database.h"

namespace paygate::store {

// Both also keep the merchant's running stats totals (stats_repository.h).
Status insert_payment(Connection& conn, const Payment& p);
// Writes every mutable field of p (status, capture flags, errors, times) and
// bumps its version (in p too). previous_status: p's status as it was read.
// Only if the stored row is still the version p was read at: otherwise
// Error::conflict, and the transaction is run again (PostgreSQL runs writes
// side by side at READ COMMITTED; SQLite's single writer never sees one).
Status update_payment(Connection& conn, Payment& p, std::string_view previous_status);
Result<std::optional<Payment>> find_payment(Connection& conn, std::string_view merchant_id,
                                            std::string_view id);
Result<std::optional<Payment>> find_payment_any(Connection& conn, std::string_view id);
Result<std::vector<Payment>> list_payments(Connection& conn, std::string_view merchant_id,
                                           const PaymentPage& page);
// Payments still PROCESSING that started before `before`.
Result<std::vector<Payment>> find_stuck_payments(Connection& conn, Micros before, int limit);
// Payments still CREATED with no live job (none pending or running), oldest
// first: their job was lost or died before it moved them on.
Result<std::vector<Payment>> find_orphaned_payments(Connection& conn, int limit);
// The payment's pending job, when it is waiting for a later time (the end of
// the shopper's authentication step), due now instead; PostgreSQL's workers
// are told, as for a new job.
Status wake_payment_job(Connection& conn, std::string_view payment_id, Micros now);
// Whether the order has a SUCCESS payment other than except_id.
Result<bool> order_has_success(Connection& conn, std::string_view order_id,
                               std::string_view except_id);

}  // namespace paygate::store
