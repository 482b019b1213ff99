// The CLI's pure pieces besides SSE and output: where settings come from,
// URLs, the logs filter, listen's state file and the signatures of a
// forwarded event.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <regex>
#include <string>

#include "cli/api.h"
#include "cli/forwarder.h"
#include "cli/listen_state.h"
#include "cli/options.h"
#include "cli/request_filter.h"
#include "core/crypto.h"

namespace paygate::cli {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

po::variables_map flags(const std::vector<std::string>& args) {
  return parse_verb(args, common_options()).vm;
}

TEST(CliOptions, FlagsBeatEnvironmentWhichBeatsTheDefault) {
  const auto env = env_of({{"PAYGATE_API_URL", "http://env:1"},
                           {"PAYGATE_API_KEY", "key_env"},
                           {"PAYGATE_API_SECRET", "secret_env"}});
  auto c = resolve_common(flags({}), env);
  EXPECT_EQ(c.api.url, "http://env:1");
  EXPECT_EQ(c.api.key, "key_env");
  EXPECT_EQ(c.api.secret, "secret_env");
  EXPECT_EQ(c.format, Format::kText);

  c = resolve_common(
      flags({"--api", "https://flag:2/api/v1/", "--key", "k", "--secret", "s", "--format", "json"}),
      env);
  EXPECT_EQ(c.api.url, "https://flag:2");
  EXPECT_EQ(c.api.key, "k");
  EXPECT_EQ(c.api.secret, "s");
  EXPECT_EQ(c.format, Format::kJson);

  c = resolve_common(flags({"--key", "k", "--secret", "s"}), env_of({}));
  EXPECT_EQ(c.api.url, "http://127.0.0.1:8000");
}

int usage_code(const std::vector<std::string>& args, const EnvLookup& env,
               bool need_secret = true) {
  try {
    resolve_common(flags(args), env, need_secret);
  } catch (const CliError& e) {
    return e.exit_code();
  }
  return 0;
}

TEST(CliOptions, MissingCredentialsAndBadValuesAreUsageErrors) {
  const auto none = env_of({});
  EXPECT_EQ(usage_code({"--secret", "s"}, none), 2);
  EXPECT_EQ(usage_code({"--key", "k"}, none), 2);
  EXPECT_EQ(usage_code({"--key", "k"}, none, false), 0);  // listen --print-secret
  EXPECT_EQ(usage_code({"--key", "k", "--secret", "s", "--format", "xml"}, none), 2);
  EXPECT_EQ(usage_code({"--key", "k", "--secret", "s", "--api", "ftp://x"}, none), 2);
  EXPECT_EQ(usage_code({"--key", "k", "--secret", "s", "--api", "http://"}, none), 2);
  EXPECT_THROW(parse_verb({"--nope"}, common_options()), CliError);
  EXPECT_THROW(parse_verb({"stray"}, common_options()), CliError);
}

TEST(CliOptions, NormalizeApiUrl) {
  EXPECT_EQ(normalize_api_url("http://h:1"), "http://h:1");
  EXPECT_EQ(normalize_api_url("http://h:1/"), "http://h:1");
  EXPECT_EQ(normalize_api_url("http://h:1/api/v1"), "http://h:1");
  EXPECT_EQ(normalize_api_url("https://h/base/api/v1/"), "https://h/base");
  EXPECT_FALSE(normalize_api_url("h:1").has_value());
  EXPECT_FALSE(normalize_api_url("https://").has_value());
}

TEST(CliOptions, QueryEncode) {
  EXPECT_EQ(query_encode("payment.success,refund.failed"), "payment.success,refund.failed");
  EXPECT_EQ(query_encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
}

TEST(CliOptions, DescribeFailure) {
  HttpResponse r;
  r.status = 401;
  r.body = R"({"error":{"code":"AUTHENTICATION_ERROR","description":"wrong key or secret"}})";
  EXPECT_EQ(describe_failure(r, "/api/v1/events"),
            "wrong key or secret (AUTHENTICATION_ERROR, HTTP 401)");
  r.status = 400;
  r.body = R"({"error":{"code":"BAD_REQUEST_ERROR","description":"bad","field":"amount"}})";
  EXPECT_EQ(describe_failure(r, "/x"), "bad (BAD_REQUEST_ERROR, HTTP 400, field amount)");
  r.status = 500;
  r.body = R"({"error":{"code":"INTERNAL_ERROR","description":"oops","request_id":"req_1"}})";
  EXPECT_EQ(describe_failure(r, "/x"), "oops (INTERNAL_ERROR, HTTP 500, request req_1)");
  r.status = 502;
  r.body = "<html>";
  EXPECT_EQ(describe_failure(r, "/x"), "/x answered HTTP 502");
  r.status = 0;
  r.error = "Couldn't connect to server";
  EXPECT_EQ(describe_failure(r, "http://h/x"),
            "no answer from http://h/x: Couldn't connect to server");
}

TEST(CliRequestFilter, Statuses) {
  std::vector<StatusPattern> s;
  ASSERT_TRUE(parse_status_filter("4xx", s));
  RequestFilter f{s, "", ""};
  EXPECT_TRUE(f.matches("GET", "/a", 404));
  EXPECT_TRUE(f.matches("GET", "/a", 499));
  EXPECT_FALSE(f.matches("GET", "/a", 500));
  EXPECT_FALSE(f.matches("GET", "/a", 200));
  ASSERT_TRUE(parse_status_filter("404,5XX", s));
  f.statuses = s;
  EXPECT_TRUE(f.matches("GET", "/a", 404));
  EXPECT_FALSE(f.matches("GET", "/a", 401));
  EXPECT_TRUE(f.matches("GET", "/a", 503));
  for (const char* bad : {"", "4", "4x", "4xxx", "600", "0xx", "4x4", "404,", ",404", "abc"}) {
    EXPECT_FALSE(parse_status_filter(bad, s)) << bad;
  }
}

TEST(CliRequestFilter, PathAndMethod) {
  RequestFilter f{{}, "/api/v1/payments", "POST"};
  EXPECT_TRUE(f.matches("POST", "/api/v1/payments", 201));
  EXPECT_TRUE(f.matches("post", "/api/v1/payments/pay_1/capture", 200));
  EXPECT_FALSE(f.matches("GET", "/api/v1/payments", 200));
  EXPECT_FALSE(f.matches("POST", "/api/v1/orders", 201));
  EXPECT_TRUE(RequestFilter{}.matches("DELETE", "/", 500));
}

TEST(CliListenState, WhereItLives) {
  EXPECT_EQ(state_dir("/xdg", "/home/u"), "/xdg/paygate");
  EXPECT_EQ(state_dir(nullptr, "/home/u"), "/home/u/.local/state/paygate");
  EXPECT_EQ(state_dir("relative", "/home/u"), "/home/u/.local/state/paygate");
  EXPECT_EQ(state_dir(nullptr, nullptr), "");
  const std::string a = state_file_name("http://a:1", "key_1");
  EXPECT_TRUE(std::regex_match(a, std::regex("listen-[0-9a-f]{16}\\.json"))) << a;
  EXPECT_EQ(a, state_file_name("http://a:1", "key_1"));
  EXPECT_NE(a, state_file_name("http://a:2", "key_1"));
  EXPECT_NE(a, state_file_name("http://a:1", "key_2"));
}

TEST(CliListenState, SecretLooksLikeAStandardWebhooksOne) {
  const std::string s = new_signing_secret();
  EXPECT_TRUE(s.starts_with("whsec_")) << s;
  const auto raw = base64_decode(std::string_view(s).substr(6));
  ASSERT_TRUE(raw.has_value()) << s;
  EXPECT_EQ(raw->size(), 32u);
  EXPECT_NE(s, new_signing_secret());
}

TEST(CliListenState, MadeOnceKeptPrivateAndReadBack) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("paygate-cli-state-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const std::string path = (dir / "sub" / "state.json").string();
  ListenState first = load_or_create_state(path, "http://a:1", "key_1");
  EXPECT_TRUE(first.secret.starts_with("whsec_"));
  EXPECT_EQ(first.last_event_id, "");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir / "sub").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  first.last_event_id = "41";
  save_state(first);
  const ListenState again = load_or_create_state(path, "http://a:1", "key_1");
  EXPECT_EQ(again.secret, first.secret);
  EXPECT_EQ(again.last_event_id, "41");
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // No temporary file left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir / "sub"),
                          std::filesystem::directory_iterator()),
            1);

  // A file that is not ours is never replaced (its secret may be configured somewhere).
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("not json", f);
    std::fclose(f);
  }
  EXPECT_THROW(load_or_create_state(path, "http://a:1", "key_1"), CliError);
  std::filesystem::remove_all(dir);
}

TEST(CliForwarder, ReadsTheEventFromTheStreamMessage) {
  ForwardedEvent e;
  const std::string data = R"({"id":"evt_1","event":"payment.success","data":{"payment":{}}})";
  ASSERT_TRUE(read_event("payment.success", data, e));
  EXPECT_EQ(e.id, "evt_1");
  EXPECT_EQ(e.type, "payment.success");
  EXPECT_EQ(e.body, data);  // the exact bytes
  ASSERT_TRUE(read_event("message", data, e));
  EXPECT_EQ(e.type, "payment.success");  // from the body when the frame names none
  EXPECT_FALSE(read_event("x", "not json", e));
  EXPECT_FALSE(read_event("x", R"({"event":"x"})", e));
  EXPECT_FALSE(read_event("x", "[1]", e));
}

TEST(CliForwarder, SignsBothWaysAsWebhooksAre) {
  ForwardedEvent e{"7", "payment.success", "evt_abc", R"({"id":"evt_abc"})"};
  const std::string secret = "whsec_c2VjcmV0";
  const HeaderList h = forward_headers(secret, e, 1768543467);
  std::map<std::string, std::string> by_name(h.begin(), h.end());
  EXPECT_EQ(by_name["Content-Type"], "application/json");
  const std::string hex = hmac_sha256_hex(secret, e.body);
  EXPECT_EQ(by_name["X-Signature"], hex);
  EXPECT_EQ(by_name["X-Webhook-Signature"], hex);
  EXPECT_EQ(by_name["webhook-id"], "evt_abc");
  EXPECT_EQ(by_name["webhook-timestamp"], "1768543467");
  EXPECT_EQ(by_name["webhook-signature"],
            "v1," + base64_encode(hmac_sha256(secret, "evt_abc.1768543467." + e.body)));
}

}  // namespace
}  // namespace paygate::cli
