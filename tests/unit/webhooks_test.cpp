// Webhook building blocks without a server: the SSRF address guard, the
// retry schedule with its jitter and Retry-After, the signatures (checked
// against HMACs computed here straight with OpenSSL), URL validation and the
// PAYGATE_WEBHOOK_RETRY_SCHEDULE parser.
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "core/webhook.h"
#include "webhooks/address_guard.h"
#include "webhooks/deliverer.h"
#include "webhooks/http_post.h"
#include "webhooks/signing.h"

namespace paygate {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

// ---------------------------------------------------------------- OpenSSL reference

std::string openssl_hmac(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  const unsigned char* r =
      HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
  EXPECT_NE(r, nullptr);
  EXPECT_EQ(len, 32u);
  return std::string(reinterpret_cast<const char*>(out.data()), len);
}

std::string to_hex(std::string_view bytes) {
  std::string out;
  for (const char c : bytes) {
    std::array<char, 3> b{};
    std::snprintf(b.data(), b.size(), "%02x", static_cast<unsigned>(static_cast<unsigned char>(c)));
    out += b.data();
  }
  return out;
}

std::string to_base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// ---------------------------------------------------------------- is_public_address

bool is_public(const char* text) {
  return webhooks::is_public_address(boost::asio::ip::make_address(text));
}

TEST(WebhookAddressGuard, RefusesLoopbackPrivateAndSpecialAddresses) {
  for (const char* a : {"127.0.0.1",
                        "127.255.255.254",
                        "10.0.0.1",
                        "10.255.255.255",
                        "172.16.0.1",
                        "172.31.255.255",
                        "192.168.1.1",
                        "169.254.169.254",
                        "100.64.0.1",
                        "0.0.0.0",
                        "224.0.0.1",
                        "239.255.255.250",
                        "255.255.255.255",
                        "::1",
                        "::",
                        "fe80::1",
                        "fc00::1",
                        "fd12:3456::1",
                        "ff02::1",
                        "::ffff:127.0.0.1",
                        "::ffff:10.0.0.1",
                        "::ffff:169.254.169.254",
                        "::127.0.0.1",
                        "::10.0.0.1"}) {
    EXPECT_FALSE(is_public(a)) << a;
  }
}

// A 6to4 relay, a Teredo relay or a NAT64 gateway on the host's network would
// carry these to the IPv4 address inside them.
TEST(WebhookAddressGuard, IPv6CarryingAnIPv4AddressIsJudgedByIt) {
  for (const char* a : {"::ffff:10.0.0.1", "::127.0.0.1",
                        "::ffff:0:127.0.0.1",  // SIIT IPv4-translated
                        "2002:7f00:1::1",      // 6to4 of 127.0.0.1
                        "2002:a00:1::1",       // 6to4 of 10.0.0.1
                        "2002:a9fe:a9fe::1",   // 6to4 of 169.254.169.254
                        // Teredo: the client's address is the last 32 bits inverted,
                        // ~0x80fffffe = 0x7f000001 = 127.0.0.1.
                        "2001:0:4136:e378:8000:63bf:80ff:fffe",
                        "2001:0:4136:e378:8000:63bf:f5ff:fffe",  // 10.0.0.1
                        "64:ff9b::7f00:1",                       // NAT64 of 127.0.0.1
                        "64:ff9b::a9fe:a9fe",                    // NAT64 of 169.254.169.254
                        "64:ff9b:1::7f00:1"}) {                  // local-use NAT64 prefix
    EXPECT_FALSE(is_public(a)) << a;
  }
  for (const char* a : {"2002:808:808::1", "2001:0:4136:e378:8000:63bf:f7f7:f7f7",
                        "64:ff9b::808:808", "::ffff:0:8.8.8.8"}) {
    EXPECT_TRUE(is_public(a)) << a;
  }
}

TEST(WebhookAddressGuard, AcceptsPublicAddresses) {
  for (const char* a : {"8.8.8.8", "1.1.1.1", "172.32.0.1", "172.15.255.255", "100.128.0.1",
                        "2606:4700::1111", "2001:4860:4860::8888", "::ffff:8.8.8.8"}) {
    EXPECT_TRUE(is_public(a)) << a;
  }
}

TEST(WebhookAddressGuard, ResolveRefusesLoopbackUnlessAllowed) {
  auto refused = webhooks::resolve_for_delivery("127.0.0.1", 80, false);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().description.find("127.0.0.1"), std::string::npos)
      << refused.error().description;

  auto link_local = webhooks::resolve_for_delivery("169.254.169.254", 80, false);
  ASSERT_FALSE(link_local);
  EXPECT_NE(link_local.error().description.find("169.254.169.254"), std::string::npos)
      << link_local.error().description;

  auto allowed = webhooks::resolve_for_delivery("127.0.0.1", 80, true);
  ASSERT_TRUE(allowed) << allowed.error().description;
  EXPECT_EQ(*allowed, std::vector<std::string>{"127.0.0.1"});
}

// ---------------------------------------------------------------- http_post's error texts

// A loopback port nothing listens on (bound, then closed).
std::uint16_t closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), len), 0);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
  ::close(fd);
  return ntohs(a.sin_port);
}

webhooks::PostResult post_to(const std::string& url, bool allow_private) {
  const std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(),
                                                                 &curl_easy_cleanup);
  webhooks::PostRequest request;
  request.url = url;
  request.body = "{}";
  request.timeout = 2000ms;
  request.allow_private = allow_private;
  return webhooks::http_post(curl.get(), request);
}

// The merchant reads error in the webhook log: a kind, never an address.
TEST(WebhookPostError, RefusedDestinationIsNotNamedToTheMerchant) {
  const auto port = std::to_string(closed_port());
  const auto refused = post_to("http://127.0.0.1:" + port + "/hook", false);
  EXPECT_FALSE(refused.status);
  EXPECT_EQ(refused.error, "destination not allowed");
  EXPECT_NE(refused.detail.find("127.0.0.1"), std::string::npos) << refused.detail;

  const auto mapped = post_to("http://[::ffff:10.0.0.1]:" + port + "/hook", false);
  EXPECT_EQ(mapped.error, "destination not allowed");
}

TEST(WebhookPostError, FailedConnectionNamesItsKindOnly) {
  const auto failed = post_to("http://127.0.0.1:" + std::to_string(closed_port()) + "/hook", true);
  EXPECT_FALSE(failed.status);
  EXPECT_EQ(failed.error, "connection refused");
  // libcurl's own text names the address: the operator's log has it.
  EXPECT_NE(failed.detail.find("127.0.0.1"), std::string::npos) << failed.detail;
}

// ---------------------------------------------------------------- next_retry_delay

const std::vector<milliseconds> kSchedule{1000ms, 5000ms, 30000ms};

TEST(WebhookRetryDelay, FollowsTheScheduleWithoutJitter) {
  EXPECT_EQ(webhooks::next_retry_delay(kSchedule, 1, 0.0, std::nullopt), 1000ms);
  EXPECT_EQ(webhooks::next_retry_delay(kSchedule, 2, 0.0, std::nullopt), 5000ms);
  EXPECT_EQ(webhooks::next_retry_delay(kSchedule, 3, 0.0, std::nullopt), 30000ms);
}

TEST(WebhookRetryDelay, NothingWhenTheScheduleIsUsedUp) {
  EXPECT_EQ(webhooks::next_retry_delay(kSchedule, 4, 0.0, std::nullopt), std::nullopt);
  EXPECT_EQ(webhooks::next_retry_delay(kSchedule, 100, 1.0, std::nullopt), std::nullopt);
  // Even when the receiver asks for a later retry.
  EXPECT_EQ(webhooks::next_retry_delay(kSchedule, 4, 0.0, std::chrono::seconds(5)), std::nullopt);
  EXPECT_EQ(webhooks::next_retry_delay({}, 1, 0.0, std::nullopt), std::nullopt);
  // Zero failures: no retry to schedule.
  EXPECT_EQ(webhooks::next_retry_delay(kSchedule, 0, 0.0, std::nullopt), std::nullopt);
}

TEST(WebhookRetryDelay, JitterStaysWithinTenPercent) {
  EXPECT_EQ(webhooks::next_retry_delay(kSchedule, 1, -1.0, std::nullopt), 900ms);
  EXPECT_EQ(webhooks::next_retry_delay(kSchedule, 1, 1.0, std::nullopt), 1100ms);
  EXPECT_EQ(webhooks::next_retry_delay(kSchedule, 3, -1.0, std::nullopt), 27000ms);
  EXPECT_EQ(webhooks::next_retry_delay(kSchedule, 3, 1.0, std::nullopt), 33000ms);
  for (int i = -10; i <= 10; ++i) {
    const double unit = i / 10.0;
    const auto d = webhooks::next_retry_delay(kSchedule, 2, unit, std::nullopt);
    ASSERT_TRUE(d) << unit;
    EXPECT_GE(*d, 4500ms) << unit;
    EXPECT_LE(*d, 5500ms) << unit;
  }
  // More jitter means a longer delay.
  EXPECT_LT(*webhooks::next_retry_delay(kSchedule, 2, -0.5, std::nullopt),
            *webhooks::next_retry_delay(kSchedule, 2, 0.5, std::nullopt));
}

TEST(WebhookRetryDelay, LongerRetryAfterWins) {
  const std::vector<milliseconds> fast{300ms, 300ms};
  EXPECT_EQ(webhooks::next_retry_delay(fast, 1, 0.0, std::chrono::seconds(2)), 2000ms);
  EXPECT_EQ(webhooks::next_retry_delay(fast, 1, 1.0, std::chrono::seconds(2)), 2000ms);
  // A shorter Retry-After does not hurry the schedule.
  EXPECT_EQ(webhooks::next_retry_delay(kSchedule, 2, 0.0, std::chrono::seconds(1)), 5000ms);
  EXPECT_EQ(webhooks::next_retry_delay(kSchedule, 2, 0.0, std::chrono::seconds(0)), 5000ms);
  // An absurd Retry-After is bounded (a day at most) but still longer than the schedule.
  const auto huge = webhooks::next_retry_delay(fast, 1, 0.0, std::chrono::seconds(10'000'000));
  ASSERT_TRUE(huge);
  EXPECT_GT(*huge, 300ms);
  EXPECT_LE(*huge, std::chrono::hours(24));
}

// ---------------------------------------------------------------- signatures

TEST(WebhookSigning, BodySignatureIsLowerHexHmacOfTheRawBody) {
  // RFC 4231 test case 2.
  EXPECT_EQ(webhooks::body_signature("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

  const std::string secret = "455be43ec4cd144f242a503e1eb909b9455be43ec4cd144f242a503e1eb909b9";
  const std::string body =
      R"({"id":"evt_abcdefghijklmnop","event":"payment.success","created_at":"2026-01-16T11:01:02.771058Z","data":{"payment":{"id":"pay_x","amount":50000,"note":"caf\u00e9 ✓"}}})";
  const std::string sig = webhooks::body_signature(secret, body);
  EXPECT_EQ(sig, to_hex(openssl_hmac(secret, body)));
  EXPECT_EQ(sig.size(), 64u);
  EXPECT_EQ(sig.find_first_not_of("0123456789abcdef"), std::string::npos) << sig;
  // Keyed with the secret's text, not its hex-decoded bytes.
  EXPECT_NE(sig, to_hex(openssl_hmac(std::string(32, '\0'), body)));
  // Every byte counts, NUL bytes included.
  const std::string with_nul("{\"a\":\0}", 7);
  EXPECT_EQ(webhooks::body_signature(secret, with_nul), to_hex(openssl_hmac(secret, with_nul)));
  EXPECT_NE(webhooks::body_signature(secret, body + " "), sig);
}

TEST(WebhookSigning, StandardSignatureSignsIdTimestampAndBody) {
  const std::string secret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  const std::string id = "evt_Q2xYz0123456789a";
  const std::int64_t ts = 1768561262;
  const std::string body = R"({"id":"evt_Q2xYz0123456789a","event":"refund.processed"})";
  const std::string expected =
      "v1," + to_base64(openssl_hmac(secret, id + "." + std::to_string(ts) + "." + body));
  EXPECT_EQ(webhooks::standard_signature({secret}, id, ts, body), expected);
  // Each part matters.
  EXPECT_NE(webhooks::standard_signature({secret}, id, ts + 1, body), expected);
  EXPECT_NE(webhooks::standard_signature({secret}, "evt_other", ts, body), expected);
  EXPECT_NE(webhooks::standard_signature({secret}, id, ts, body + "x"), expected);
}

TEST(WebhookSigning, StandardSignatureListsEverySecretSpaceSeparated) {
  const std::string fresh = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  const std::string old = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
  const std::string id = "evt_0000000000000001";
  const std::int64_t ts = 1700000000;
  const std::string body = "{}";
  const std::string content = id + "." + std::to_string(ts) + "." + body;
  const std::string both = webhooks::standard_signature({fresh, old}, id, ts, body);
  EXPECT_EQ(both, "v1," + to_base64(openssl_hmac(fresh, content)) + " v1," +
                      to_base64(openssl_hmac(old, content)));
}

// ---------------------------------------------------------------- is_valid_webhook_url

TEST(WebhookUrl, AcceptsAbsoluteHttpAndHttps) {
  for (const char* u :
       {"https://webhook.site/abcd-1234", "http://example.com", "http://127.0.0.1:8080/hook?x=1",
        "https://[2606:4700::1111]/hook", "http://localhost:9/a/b", "HTTPS://EXAMPLE.COM/hook",
        "Http://example.com/"}) {
    EXPECT_TRUE(is_valid_webhook_url(u)) << u;
  }
}

TEST(WebhookUrl, RefusesOtherSchemesRelativeAndHostless) {
  for (const char* u :
       {"", "ftp://example.com/hook", "file:///etc/passwd", "javascript:alert(1)", "/hook", "hook",
        "example.com/hook", "//example.com/hook", "http://", "https:///path", "http:hook",
        "gopher://example.com/", "HTTPX://example.com/"}) {
    EXPECT_FALSE(is_valid_webhook_url(u)) << u;
  }
}

TEST(WebhookUrl, AtMost2048Characters) {
  const std::string base = "https://example.com/";
  const std::string at_limit = base + std::string(kMaxWebhookUrlLength - base.size(), 'a');
  ASSERT_EQ(at_limit.size(), 2048u);
  EXPECT_TRUE(is_valid_webhook_url(at_limit));
  EXPECT_FALSE(is_valid_webhook_url(at_limit + "a"));
}

// ---------------------------------------------------------------- parse_retry_schedule

TEST(WebhookRetrySchedule, ParsesSecondsWithDecimals) {
  auto s = parse_retry_schedule("0.2,0.2");
  ASSERT_TRUE(s) << s.error().description;
  EXPECT_EQ(*s, (std::vector<int>{200, 200}));

  auto d = parse_retry_schedule("60,300,1800,7200");
  ASSERT_TRUE(d) << d.error().description;
  EXPECT_EQ(*d, (std::vector<int>{60'000, 300'000, 1'800'000, 7'200'000}));

  auto one = parse_retry_schedule("1.5");
  ASSERT_TRUE(one) << one.error().description;
  EXPECT_EQ(*one, std::vector<int>{1500});

  auto twenty = parse_retry_schedule("1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1");
  ASSERT_TRUE(twenty) << twenty.error().description;
  EXPECT_EQ(twenty->size(), 20u);
}

TEST(WebhookRetrySchedule, RefusesWhatIsNotASchedule) {
  for (const char* t : {"", "abc", "1,,2", ",1", "-1", "1;2", "1,x", "0", "1e9", "nan", "inf",
                        "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1"}) {
    auto s = parse_retry_schedule(t);
    EXPECT_FALSE(s) << '"' << t << '"';
    if (!s) {
      EXPECT_NE(s.error().description.find("PAYGATE_WEBHOOK_RETRY_SCHEDULE"), std::string::npos)
          << s.error().description;
    }
  }
}

}  // namespace
}  // namespace paygate
