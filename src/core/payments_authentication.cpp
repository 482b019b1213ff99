// The shopper's authentication step of the test instruments that ask for one
// (docs/API.md, "Testing"): what its hosted page reads and the answers it
// sends. Part of PaymentService (payments.h).
#include <string>

#include "core/crypto.h"
#include "core/payments.h"
#include "store/async.h"
#include "store/payment_repository.h"

namespace paygate {

namespace asio = boost::asio;

namespace {

Error no_authentication(std::string_view id) {
  return Error::not_found("no authentication for payment " + std::string(id.substr(0, 64)));
}

// Whether token is the one in the page's URL (compared in constant time).
bool token_matches(const Payment& p, std::string_view token) {
  if (!p.authentication_url || token.empty()) return false;
  const std::string_view url = *p.authentication_url;
  const auto at = url.rfind("?token=");
  return at != std::string_view::npos && constant_time_equal(url.substr(at + 7), token);
}

bool is_otp(std::string_view otp) {
  if (otp.size() != kTestOtp.size()) return false;
  for (char c : otp) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

Status expire_authentication(store::Connection& c, const EventFormats& formats, Payment& p,
                             Micros now) {
  p.authentication_status = std::string(kAuthenticationExpired);
  return fail_payment(c, formats, p, kPaymentTimedOut,
                      "the shopper did not complete the authentication in time", now);
}

asio::awaitable<Result<Payment>> PaymentService::authentication(std::string_view id,
                                                                std::string_view token) {
  auto found = co_await store::read(
      db_, [&](store::Connection& c) { return store::find_payment_any(c, id); });
  if (!found) co_return fail(std::move(found.error()));
  if (!*found || !token_matches(**found, token)) co_return fail(no_authentication(id));
  co_return std::move(**found);
}

asio::awaitable<Result<AuthenticationResult>> PaymentService::authenticate(
    std::string_view id, std::string_view token, AuthenticationAnswer answer) {
  bool woken = false;
  auto result =
      co_await store::write(db_, [&](store::Connection& c) -> Result<AuthenticationResult> {
        woken = false;  // the transaction may run again
        auto found = store::find_payment_any(c, id);
        if (!found) return fail(found.error());
        if (!*found || !token_matches(**found, token)) return fail(no_authentication(id));
        AuthenticationResult out{std::move(**found), {}, {}};
        Payment& p = out.payment;
        if (!p.awaits_authentication()) {
          return fail(Error::bad_request("the authentication is no longer pending: it was " +
                                             p.authentication_status.value_or(""),
                                         "action"));
        }
        const Micros now = now_micros();
        // The job moves on at once, whatever the answer: to processing, or to
        // its end on a failed payment.
        const auto wake = [&]() -> Result<AuthenticationResult> {
          if (auto s = store::wake_payment_job(c, p.id, now); !s) return fail(s.error());
          woken = true;
          return std::move(out);
        };
        const auto failed = [&](std::string_view status, std::string_view code,
                                std::string_view description) -> Result<AuthenticationResult> {
          p.authentication_status = std::string(status);
          if (auto s = fail_payment(c, formats_, p, code, description, now); !s)
            return fail(s.error());
          return wake();
        };
        if (now >= p.authentication_expires_at.value_or(0)) {
          if (auto s = expire_authentication(c, formats_, p, now); !s) return fail(s.error());
          return wake();
        }
        if (!answer.approve) {
          return failed(kAuthenticationRejected, kPaymentCancelled,
                        "the shopper rejected the payment on the authentication page");
        }
        if (p.method == kMethodCard) {
          if (!answer.otp || !is_otp(*answer.otp)) {
            return fail(Error::bad_request("otp must be the 6 digits the bank sent", "otp"));
          }
          if (!constant_time_equal(*answer.otp, kTestOtp)) {
            ++p.authentication_failures;
            if (p.authentication_failures >= kOtpAttempts) {
              return failed(kAuthenticationFailed, kAuthenticationFailedCode,
                            "the OTP was entered wrong " + std::to_string(kOtpAttempts) + " times");
            }
            const std::int64_t left = kOtpAttempts - p.authentication_failures;
            p.updated_at = now;
            if (auto s = store::update_payment(c, p, p.status); !s) return fail(s.error());
            out.error_code = "INCORRECT_OTP";
            out.error_description = "the OTP is incorrect: " + std::to_string(left) +
                                    (left == 1 ? " attempt" : " attempts") + " left";
            return out;
          }
        }
        p.authentication_status = std::string(kAuthenticationApproved);
        p.updated_at = now;
        if (auto s = store::update_payment(c, p, p.status); !s) return fail(s.error());
        return wake();
      });
  if (result && woken && on_job_enqueued_) on_job_enqueued_();
  co_return result;
}

}  // namespace paygate
