// Work a caller adds to a use case's own transaction: it runs after the use
// case's writes, sees their result, and commits or rolls back with them
// (idempotency records are written this way).
#pragma once

#include <functional>

#include "core/error.h"
#include "store/database.h"

namespace paygate {

template <class T>
using TxnHook = std::function<Status(store::Connection&, const T&)>;

template <class T>
Status run_hook(const TxnHook<T>& hook, store::Connection& conn, const T& value) {
  return hook ? hook(conn, value) : Status{};
}

}  // namespace paygate
