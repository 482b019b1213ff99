// Coroutine access to the Database: `co_await store::write(db, fn)` suspends
// the calling coroutine (never its I/O thread) until the database thread has
// run fn and the transaction is durable, then resumes on the caller's executor.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <type_traits>

#include "store/database.h"

namespace paygate::store {

namespace detail {

template <class Submit>
auto async_submit(Submit submit) {
  return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>, void(Status)>(
      [submit](auto handler) mutable {
        // Keeps the caller's executor alive while the database works.
        auto ex = boost::asio::prefer(boost::asio::get_associated_executor(handler),
                                      boost::asio::execution::outstanding_work.tracked);
        submit([h = std::move(handler), ex = std::move(ex)](Status s) mutable {
          boost::asio::dispatch(
              ex, [h = std::move(h), s = std::move(s)]() mutable { std::move(h)(std::move(s)); });
        });
      },
      boost::asio::use_awaitable);
}

template <class F>
using ResultOf = std::invoke_result_t<F&, Connection&>;

// Runs f (which returns Result<T>) through submit, keeping its value until the
// transaction has committed.
template <class F, class Submit>
boost::asio::awaitable<ResultOf<F>> run(F& f, Submit submit) {
  std::optional<ResultOf<F>> out;
  auto work = [&](Connection& conn) -> Status {
    out.emplace(f(conn));
    if (!*out) return fail(out->error());
    return {};
  };
  Status status = co_await async_submit(
      [&, submit](Done done) mutable { submit(Work(work), std::move(done)); });
  if (!status) co_return ResultOf<F>(fail(std::move(status.error())));
  co_return std::move(*out);
}

}  // namespace detail

// f: Result<T>(Connection&), run inside the group-committed write transaction.
template <class F>
boost::asio::awaitable<detail::ResultOf<F>> write(Database& db, F f) {
  co_return co_await detail::run(f, [&db](Work w, Done d) { db.submit_write(w, std::move(d)); });
}

// f: Result<T>(Connection&), run on a reader connection in one snapshot.
template <class F>
boost::asio::awaitable<detail::ResultOf<F>> read(Database& db, F f) {
  co_return co_await detail::run(f, [&db](Work w, Done d) { db.submit_read(w, std::move(d)); });
}

inline boost::asio::awaitable<HealthReport> health_check(Database& db) {
  return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>, void(HealthReport)>(
      [&db](auto handler) {
        auto ex = boost::asio::prefer(boost::asio::get_associated_executor(handler),
                                      boost::asio::execution::outstanding_work.tracked);
        db.submit_health_check(
            [h = std::move(handler), ex = std::move(ex)](HealthReport report) mutable {
              boost::asio::dispatch(ex, [h = std::move(h), r = std::move(report)]() mutable {
                std::move(h)(std::move(r));
              });
            });
      },
      boost::asio::use_awaitable);
}

}  // namespace paygate::store
