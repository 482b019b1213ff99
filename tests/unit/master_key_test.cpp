// The master key, the keys derived from it, the sealing of secrets at rest and
// the keyed request fingerprint that replaced an unkeyed hash of the body.
#include "core/master_key.h"

#include <gtest/gtest.h>

#include <string>

#include "core/crypto.h"
#include "core/idempotency.h"
#include "core/processor.h"
#include "core/secret_box.h"

namespace paygate {
namespace {

std::string bytes_of_hex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::string hex_of(std::string_view bytes) {
  return hex_encode(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

// RFC 5869, appendix A.1.
TEST(Crypto, HkdfSha256Rfc5869TestCase1) {
  const std::string ikm(22, '\x0b');
  const std::string salt = bytes_of_hex("000102030405060708090a0b0c");
  const std::string info = bytes_of_hex("f0f1f2f3f4f5f6f7f8f9");
  EXPECT_EQ(hex_of(hkdf_sha256(ikm, salt, info, 42)),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

TEST(Crypto, AesGcmOpensWhatItSealedAndNothingElse) {
  const std::string key(32, 'k');
  const std::string sealed = aes256gcm_seal(key, "the secret", "row 1");
  EXPECT_EQ(sealed.size(), 12 + 10 + 16u);
  EXPECT_EQ(sealed.find("the secret"), std::string::npos);
  EXPECT_EQ(aes256gcm_open(key, sealed, "row 1"), "the secret");
  EXPECT_EQ(aes256gcm_open(key, sealed, "row 2"), std::nullopt) << "another aad";
  EXPECT_EQ(aes256gcm_open(std::string(32, 'x'), sealed, "row 1"), std::nullopt) << "another key";
  std::string tampered = sealed;
  tampered[13] ^= 1;
  EXPECT_EQ(aes256gcm_open(key, tampered, "row 1"), std::nullopt) << "a flipped bit";
  EXPECT_EQ(aes256gcm_open(key, sealed.substr(0, 20), "row 1"), std::nullopt) << "cut short";
  EXPECT_NE(aes256gcm_seal(key, "the secret", "row 1"), sealed) << "a fresh nonce each time";
  EXPECT_EQ(aes256gcm_open(key, aes256gcm_seal(key, "", "a"), "a"), "");
}

TEST(Crypto, Base64RoundTrip) {
  for (const std::string_view s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    EXPECT_EQ(base64_decode(base64_encode(s)), s);
  }
  EXPECT_EQ(base64_decode("Zm9v!"), std::nullopt);
  EXPECT_EQ(base64_decode("Zm9"), std::nullopt);
}

constexpr std::string_view kKeyText =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

TEST(MasterKey, ParsesSixtyFourHexDigitsWithAFinalNewline) {
  auto key = parse_master_key(std::string(kKeyText) + "\n", "PAYGATE_MASTER_KEY");
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(hex_of(*key), kKeyText);
  EXPECT_EQ(parse_master_key("  " + std::string(kKeyText) + " \r\n", "f").value(), *key);
}

TEST(MasterKey, RefusesWhatIsNotAKeyNamingTheSourceAndKeygen) {
  for (const std::string& bad :
       {std::string(""), std::string(kKeyText.substr(2)), std::string(kKeyText) + "00",
        "zz" + std::string(kKeyText.substr(2)),
        std::string(kKeyText.substr(0, 32)) + " " + std::string(kKeyText.substr(33))}) {
    auto key = parse_master_key(bad, "--master-key-file");
    ASSERT_FALSE(key.has_value()) << bad;
    EXPECT_NE(key.error().description.find("--master-key-file"), std::string::npos);
    EXPECT_NE(key.error().description.find("paygate keygen"), std::string::npos);
  }
}

TEST(MasterKey, KeygenTextIsFreshAndParses) {
  const std::string a = new_master_key_text();
  const std::string b = new_master_key_text();
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, b);
  EXPECT_TRUE(parse_master_key(a, "x").has_value());
}

TEST(MasterKey, EachPurposeHasItsOwnKeyAndTheIdNamesTheMasterKey) {
  const std::string master = parse_master_key(kKeyText, "x").value();
  const DataKeys keys = derive_data_keys(master);
  EXPECT_EQ(keys.card_fingerprint.size(), 32u);
  EXPECT_NE(keys.card_fingerprint, keys.idempotency);
  EXPECT_NE(keys.idempotency, keys.encryption);
  EXPECT_NE(keys.card_fingerprint, master);
  EXPECT_EQ(keys.id.size(), 8u);
  EXPECT_EQ(derive_data_keys(master).encryption, keys.encryption) << "deterministic";
  const DataKeys other = derive_data_keys(std::string(32, '\x01'));
  EXPECT_NE(other.id, keys.id);
  EXPECT_NE(other.card_fingerprint, keys.card_fingerprint);
}

DataKeys keys_of(char fill) {
  return derive_data_keys(std::string(kMasterKeyBytes, fill));
}

TEST(SecretBox, SealsUnderTheCurrentKeyBoundToItsContext) {
  const SecretBox box(KeyRing{keys_of('a'), std::nullopt});
  const std::string sealed = box.seal("whsec", "webhook secret 1");
  EXPECT_TRUE(is_sealed(sealed));
  EXPECT_TRUE(sealed.starts_with("v1." + keys_of('a').id + "."));
  EXPECT_EQ(sealed.find("whsec"), std::string::npos);
  EXPECT_TRUE(box.sealed_under_current(sealed));
  EXPECT_EQ(box.open(sealed, "webhook secret 1").value(), "whsec");
  EXPECT_FALSE(box.open(sealed, "webhook secret 2").has_value()) << "moved to another row";
  // Written before secrets were sealed: taken as it is, and due for sealing.
  EXPECT_EQ(box.open("0123abcd", "webhook secret 1").value(), "0123abcd");
  EXPECT_FALSE(box.sealed_under_current("0123abcd"));
}

TEST(SecretBox, OpensWhatThePreviousKeySealedOnlyWhileItIsGiven) {
  const SecretBox old_box(KeyRing{keys_of('a'), std::nullopt});
  const std::string sealed = old_box.seal("whsec", "c");
  const SecretBox rotating(KeyRing{keys_of('b'), keys_of('a')});
  EXPECT_EQ(rotating.open(sealed, "c").value(), "whsec");
  EXPECT_FALSE(rotating.sealed_under_current(sealed));
  const SecretBox without(KeyRing{keys_of('b'), std::nullopt});
  const auto refused = without.open(sealed, "c");
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().description.find(keys_of('a').id), std::string::npos);
}

constexpr std::string_view kNested =
    R"({"order_id":"order_1","method":"card","card":{"number":"4111111111111111",)"
    R"("cvv":"123","expiry_month":"12","expiry_year":"2030"}})";

TEST(RequestFingerprint, IsKeyedAndKeepsTheCardOnlyAsItsKeyedFingerprint) {
  const DataKeys keys = keys_of('a');
  const std::string fp = request_fingerprint(keys, "POST", "/api/v1/payments", kNested);
  EXPECT_EQ(fp.size(), 64u);
  EXPECT_NE(fp, request_fingerprint(keys_of('b'), "POST", "/api/v1/payments", kNested));
  // What the server fingerprints stands in for the number: its card fingerprint.
  const std::string stand_in = card_fingerprint(keys.card_fingerprint, "4111111111111111");
  const std::string expected_material =
      "POST\n/api/v1/payments\n"
      R"({"card":{"expiry_month":"12","expiry_year":"2030","number":")" +
      stand_in + R"("},"method":"card","order_id":"order_1"})";
  EXPECT_EQ(fp, hmac_sha256_hex(keys.idempotency, expected_material));
}

TEST(RequestFingerprint, TheCvvIsInNoFingerprintAndTheNumberIsInEachShape) {
  const DataKeys keys = keys_of('a');
  const auto fp = [&](std::string_view body) {
    return request_fingerprint(keys, "POST", "/api/v1/payments", body);
  };
  std::string other_cvv(kNested);
  other_cvv.replace(other_cvv.find("\"123\""), 5, "\"999\"");
  EXPECT_EQ(fp(kNested), fp(other_cvv));
  std::string other_number(kNested);
  other_number.replace(other_number.find("4111111111111111"), 16, "5555555555554444");
  EXPECT_NE(fp(kNested), fp(other_number));
  // Separators and a JSON number mean the same digits, as they do to a payment.
  std::string spaced(kNested);
  spaced.replace(spaced.find("4111111111111111"), 16, "4111 1111-1111 1111");
  EXPECT_EQ(fp(kNested), fp(spaced));
  const std::string flat_a =
      R"({"order_id":"o","method":"card","card_number":4111111111111111,"cvv":"123"})";
  const std::string flat_b =
      R"({"order_id":"o","method":"card","card_number":"4111111111111111","cvv":"456"})";
  const std::string flat_c =
      R"({"order_id":"o","method":"card","card_number":"4242424242424242","cvv":"123"})";
  EXPECT_EQ(fp(flat_a), fp(flat_b));
  EXPECT_NE(fp(flat_a), fp(flat_c));
}

TEST(RequestFingerprint, ABodyThatIsNotJsonIsNotHashedAsItsBytes) {
  const DataKeys keys = keys_of('a');
  const std::string broken_a = R"({"card":{"number":"4111111111111111","cvv":"123")";
  const std::string broken_b = R"({"card":{"number":"4242424242424242","cvv":"999")";
  EXPECT_EQ(request_fingerprint(keys, "POST", "/p", broken_a),
            request_fingerprint(keys, "POST", "/p", broken_b));
  EXPECT_NE(request_fingerprint(keys, "POST", "/p", broken_a),
            request_fingerprint(keys, "POST", "/p", "{}"));
}

}  // namespace
}  // namespace paygate
