#include "core/crypto.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace paygate {
namespace {

// FIPS 180-2 / NIST examples.
TEST(Crypto, Sha256TestVectors) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex(std::string_view{}),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1'000'000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Crypto, Sha256HashesEmbeddedNulBytes) {
  const std::string_view with_nul("a\0b", 3);
  EXPECT_NE(sha256_hex(with_nul), sha256_hex("a"));
  EXPECT_EQ(sha256_hex(with_nul).size(), 64u);
}

// RFC 4231, HMAC-SHA-256.
TEST(Crypto, HmacSha256Rfc4231TestCase1) {
  const std::string key(20, '\x0b');
  EXPECT_EQ(hmac_sha256_hex(key, "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(Crypto, HmacSha256Rfc4231TestCase2) {
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, HmacSha256Rfc4231TestCase3) {
  EXPECT_EQ(hmac_sha256_hex(std::string(20, '\xaa'), std::string(50, '\xdd')),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
}

TEST(Crypto, HmacSha256Rfc4231TestCase6KeyLongerThanABlock) {
  EXPECT_EQ(hmac_sha256_hex(std::string(131, '\xaa'),
                            "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(Crypto, HmacSha256EmptyKeyAndMessage) {
  // python3: hmac.new(b'', b'', hashlib.sha256).hexdigest()
  const std::string expected = "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad";
  EXPECT_EQ(hmac_sha256_hex("", ""), expected);
  EXPECT_EQ(hmac_sha256_hex(std::string_view{}, std::string_view{}), expected);
}

TEST(Crypto, HmacDependsOnEveryByteOfKeyAndData) {
  const std::string_view key("k\0ey", 4);
  const std::string_view data("da\0ta", 5);
  const std::string base = hmac_sha256_hex(key, data);
  EXPECT_EQ(base.size(), 64u);
  EXPECT_NE(base, hmac_sha256_hex("k", data));
  EXPECT_NE(base, hmac_sha256_hex(key, "da"));
  EXPECT_NE(base, hmac_sha256_hex(std::string_view("k\0eY", 4), data));
  EXPECT_EQ(base, hmac_sha256_hex(key, data));
}

TEST(Crypto, HexEncode) {
  EXPECT_EQ(hex_encode(std::span<const std::uint8_t>{}), "");
  const std::array<std::uint8_t, 6> bytes = {0x00, 0x0f, 0xf0, 0xff, 0xab, 0x10};
  EXPECT_EQ(hex_encode(bytes), "000ff0ffab10");
  std::vector<std::uint8_t> all(256);
  for (int i = 0; i < 256; ++i) all[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i);
  const std::string hex = hex_encode(all);
  ASSERT_EQ(hex.size(), 512u);
  EXPECT_EQ(hex.substr(0, 8), "00010203");
  EXPECT_EQ(hex.substr(508), "feff");
  for (char c : hex) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << c;
}

TEST(Crypto, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("secret_abc", "secret_abc"));
  EXPECT_FALSE(constant_time_equal("secret_abc", "secret_abd"));
  EXPECT_FALSE(constant_time_equal("secret_abc", "Secret_abc"));
  EXPECT_FALSE(constant_time_equal("secret_abc", "secret_ab"));
  EXPECT_FALSE(constant_time_equal("secret_ab", "secret_abc"));
  EXPECT_FALSE(constant_time_equal("", "x"));
  EXPECT_FALSE(constant_time_equal("x", ""));
  EXPECT_TRUE(constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
  EXPECT_FALSE(constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
  const std::string h = sha256_hex("secret_test_xyz789");
  EXPECT_TRUE(constant_time_equal(h, sha256_hex("secret_test_xyz789")));
  EXPECT_FALSE(constant_time_equal(h, sha256_hex("secret_test_xyz788")));
}

TEST(Crypto, RandomBytesFillAndDiffer) {
  std::array<std::uint8_t, 32> a{};
  std::array<std::uint8_t, 32> b{};
  random_bytes(a);
  random_bytes(b);
  EXPECT_NE(a, b);
  EXPECT_NE(a, (std::array<std::uint8_t, 32>{}));
  random_bytes(std::span<std::uint8_t>{});  // nothing to fill, no abort
}

}  // namespace
}  // namespace paygate
