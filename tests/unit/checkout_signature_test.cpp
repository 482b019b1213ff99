// razorpay_signature: what Razorpay's SDKs check in validatePaymentVerification.
#include <gtest/gtest.h>

#include "core/merchants.h"

namespace paygate {
namespace {

// The expected value is openssl's:
//   printf 'order_IluGWxBm9U8zJ8|pay_IH4NVgf4Dreq1l' | openssl dgst -sha256 -hmac
//   secret_test_xyz789
TEST(CheckoutSignature, IsHexHmacSha256OfOrderBarPaymentUnderTheSecret) {
  EXPECT_EQ(checkout_signature("secret_test_xyz789", "order_IluGWxBm9U8zJ8", "pay_IH4NVgf4Dreq1l"),
            "239fa4bcf8d5a11ccc2505320243c07247cbaa732a378d3d9c3ce8cb7ef45fd5");
}

TEST(CheckoutSignature, DependsOnEachPart) {
  const std::string s = checkout_signature("secret_a", "order_1", "pay_1");
  EXPECT_NE(checkout_signature("secret_b", "order_1", "pay_1"), s);
  EXPECT_NE(checkout_signature("secret_a", "order_2", "pay_1"), s);
  EXPECT_NE(checkout_signature("secret_a", "order_1", "pay_2"), s);
  // The ids swapped are another message.
  EXPECT_NE(checkout_signature("secret_a", "pay_1", "order_1"), s);
}

}  // namespace
}  // namespace paygate
