// The sandbox's pure parts: the X-Paygate-Test-Outcome grammar, the scripted
// outcome and timing it gives, the simulated processor's test instruments,
// and the references of a fixtures file.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <optional>
#include <string>

#include "cli/api.h"
#include "cli/fixtures_refs.h"
#include "config/config.h"
#include "core/processor.h"
#include "core/sandbox_outcome.h"

namespace paygate {
namespace {

namespace json = boost::json;

TEST(TestOutcome, ParsesEachDirectiveAndWritesItBackCanonically) {
  struct Case {
    std::string_view text;
    std::string_view canonical;
  };
  const Case cases[] = {
      {"success", "success"},
      {"failed", "failed:PAYMENT_FAILED"},
      {"failed:CARD_DECLINED", "failed:CARD_DECLINED"},
      {"timeout", "timeout"},
      {"delay=2000", "delay=2000"},
      {" failed:CARD_DECLINED ; delay=2000 ", "failed:CARD_DECLINED;delay=2000"},
      {"delay=0;success", "success;delay=0"},
      {"delay=3600000", "delay=3600000"},
  };
  for (const auto& c : cases) {
    auto t = parse_test_outcome(c.text);
    ASSERT_TRUE(t.has_value()) << c.text << ": " << t.error().description;
    EXPECT_EQ(t->text(), c.canonical) << c.text;
    auto again = parse_test_outcome(t->text());
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->text(), c.canonical);
  }
}

TEST(TestOutcome, RefusesWhatIsNotTheGrammarNamingTheHeader) {
  for (std::string_view text :
       {"", ";", "success;", "Success", "bogus", "success;failed", "failed;timeout",
        "failed:", "failed:card_declined", "failed:A B", "delay=", "delay=-1", "delay=1.5",
        "delay=3600001", "delay=1;delay=2", "timeout;delay=10",
        "failed:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}) {
    auto t = parse_test_outcome(text);
    ASSERT_FALSE(t.has_value()) << "'" << text << "' was accepted";
    EXPECT_EQ(t.error().code, ErrorCode::bad_request);
    EXPECT_EQ(t.error().field, "X-Paygate-Test-Outcome") << text;
  }
  EXPECT_FALSE(parse_test_outcome(std::string(300, 's')).has_value());
}

TEST(TestOutcome, DecidesTheOutcomeAndTheTime) {
  const ProcessorTiming slow{30'000'000, true};
  const ProcessorTiming silent{std::nullopt, false};

  auto t = *parse_test_outcome("failed:CARD_DECLINED;delay=2000");
  auto o = scripted_outcome(t);
  ASSERT_TRUE(o.has_value());
  EXPECT_FALSE(o->success);
  EXPECT_EQ(o->error_code, "CARD_DECLINED");
  EXPECT_EQ(o->error_description, "the card was declined by the issuer");
  EXPECT_EQ(scripted_timing(t, slow).delay, 2'000'000);

  t = *parse_test_outcome("failed:BANK_DOWN");
  EXPECT_NE(scripted_outcome(t)->error_description.find("X-Paygate-Test-Outcome"),
            std::string::npos);
  // An outcome alone keeps the instrument's time, but always comes.
  EXPECT_EQ(scripted_timing(t, slow).delay, 30'000'000);
  EXPECT_TRUE(scripted_timing(t, silent).answers);

  t = *parse_test_outcome("delay=5");
  EXPECT_FALSE(scripted_outcome(t).has_value());  // the instrument decides
  EXPECT_EQ(scripted_timing(t, silent).delay, 5000);
  EXPECT_TRUE(scripted_timing(t, silent).answers);

  t = *parse_test_outcome("timeout");
  EXPECT_FALSE(scripted_outcome(t).has_value());
  EXPECT_FALSE(scripted_timing(t, slow).answers);

  t = *parse_test_outcome("success");
  EXPECT_TRUE(scripted_outcome(t)->success);
}

Payment card_payment(std::string_view key, std::string_view number) {
  Payment p;
  p.method = std::string(kMethodCard);
  p.card_fingerprint = card_fingerprint(key, number);
  return p;
}

Payment upi_payment(std::string_view vpa) {
  Payment p;
  p.method = std::string(kMethodUpi);
  p.vpa = std::string(vpa);
  return p;
}

TEST(SimulatedProcessor, EveryTestInstrumentDoesWhatTheDocsSay) {
  constexpr std::string_view kKey = "unit-test-key";
  const SimulatedProcessor proc(kKey, 0.0, 7'000'000);
  const auto card = [&](std::string_view n) { return card_payment(kKey, n); };

  EXPECT_TRUE(proc.authorize(card("4111111111111111")).success);
  EXPECT_EQ(proc.authorize(card("4000000000000002")).error_code, "CARD_DECLINED");
  EXPECT_EQ(proc.authorize(card("4000000000009995")).error_code, "INSUFFICIENT_FUNDS");
  EXPECT_EQ(proc.refund(card("4000000000000077")).error_code, "REFUND_FAILED");
  EXPECT_EQ(proc.authorize(upi_payment("failure@upi")).error_code, "PAYMENT_FAILED");
  EXPECT_TRUE(proc.authorize(upi_payment("success@upi")).success);

  EXPECT_EQ(proc.authentication(card("4000000000003220")), Authentication::otp);
  EXPECT_EQ(proc.authentication(upi_payment("otp@upi")), Authentication::upi_approve);
  EXPECT_EQ(proc.authentication(card("4111111111111111")), Authentication::none);
  EXPECT_TRUE(proc.authorize(card("4000000000003220")).success);

  for (const Payment& p : {card("4000000000000036"), upi_payment("slow@okbank")}) {
    EXPECT_EQ(proc.timing(p).delay, 7'000'000);
    EXPECT_TRUE(proc.authorize(p).success);
  }
  for (const Payment& p : {card("4000000000000044"), upi_payment("timeout@upi")}) {
    EXPECT_FALSE(proc.timing(p).answers);
  }
  for (const Payment& p : {card("4000000000000051"), upi_payment("gatewayerror@upi")}) {
    EXPECT_EQ(proc.authorize(p).error_code, "GATEWAY_ERROR");
  }
  for (const Payment& p : {card("4000000000000069"), upi_payment("slowrefund@upi")}) {
    EXPECT_EQ(proc.refund_delay(p), 7'000'000);
    EXPECT_TRUE(proc.refund(p).success);
    EXPECT_FALSE(proc.timing(p).delay.has_value());
  }
  // Ordinary instruments: the configured times.
  EXPECT_FALSE(proc.timing(card("4111111111111111")).delay.has_value());
  EXPECT_TRUE(proc.timing(card("4111111111111111")).answers);
  EXPECT_FALSE(proc.refund_delay(upi_payment("success@upi")).has_value());
  // A local part only: "slowly@upi" is no test VPA.
  EXPECT_FALSE(proc.timing(upi_payment("slowly@upi")).delay.has_value());
}

// An environment of exactly these variables, for load_config.
EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(SandboxConfig, SettingsAndTheirDefaults) {
  auto c = load_config({}, env_of({}));
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->sandbox_delay_ms, 30'000);
  EXPECT_EQ(c->authentication_timeout_ms, 180'000);
  EXPECT_EQ(c->public_url, "");
  c = load_config({}, env_of({{"PAYGATE_SANDBOX_DELAY_MS", "1500"},
                              {"PAYGATE_AUTHENTICATION_TIMEOUT_MS", "2000"},
                              {"PAYGATE_PUBLIC_URL", "https://pay.example.com:8443/"}}));
  ASSERT_TRUE(c.has_value()) << c.error().description;
  EXPECT_EQ(c->sandbox_delay_ms, 1500);
  EXPECT_EQ(c->authentication_timeout_ms, 2000);
  EXPECT_EQ(c->public_url, "https://pay.example.com:8443");
  for (std::string_view bad : {"pay.example.com", "ftp://pay.example.com", "https://",
                               "https://pay.example.com/checkout", "https://a b"}) {
    auto r = load_config({}, env_of({{"PAYGATE_PUBLIC_URL", std::string(bad)}}));
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_NE(r.error().description.find("PAYGATE_PUBLIC_URL"), std::string::npos);
  }
  EXPECT_FALSE(load_config({}, env_of({{"PAYGATE_AUTHENTICATION_TIMEOUT_MS", "0"}})).has_value());
}

}  // namespace
}  // namespace paygate

namespace paygate::cli {
namespace {

namespace json = boost::json;

TEST(FixtureReferences, ResolveIdsFieldsAndTextAroundThem) {
  Made made;
  made["order_a"] = json::parse(R"({"id": "order_1", "amount": 5000, "notes": {"k": "v"}})");
  made["pay_a"] = json::parse(R"({"id": "pay_1", "order_id": "order_1"})");
  const json::value entry = json::parse(R"({
    "order_id": "${order_a}", "amount": "${order_a.amount}", "note": "${order_a.notes.k}",
    "receipt": "r-${pay_a.order_id}-${order_a.amount}", "literal": "$${order_a}",
    "list": ["${pay_a.id}", 3], "plain": "no refs", "n": 7})");
  EXPECT_EQ(references_in(entry, "x").size(), 6u);
  const json::value out = resolve_references(entry, made, "payments[0]");
  EXPECT_EQ(out.at("order_id"), "order_1");
  EXPECT_EQ(out.at("amount"), 5000);  // a number stays a number
  EXPECT_EQ(out.at("note"), "v");
  EXPECT_EQ(out.at("receipt"), "r-order_1-5000");
  EXPECT_EQ(out.at("literal"), "${order_a}");
  EXPECT_EQ(out.at("list").at(0), "pay_1");
  EXPECT_EQ(out.at("plain"), "no refs");
  EXPECT_EQ(out.at("n"), 7);
}

TEST(FixtureReferences, SayWhatIsWrongAndWhere) {
  Made made;
  made["order_a"] = json::parse(R"({"id": "order_1"})");
  const auto fails = [&](std::string_view text, std::string_view says) {
    try {
      resolve_references(json::value(text), made, "refunds[2]");
      ADD_FAILURE() << text << " resolved";
    } catch (const CliError& e) {
      EXPECT_NE(std::string(e.what()).find("refunds[2]"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
  };
  fails("${order_b}", "order_b");
  fails("${order_a.amount}", "no field 'amount'");
  fails("${order_a", "no closing");
  fails("${}", "not ${name}");
  fails("${order_a..id}", "not ${name}");
}

}  // namespace
}  // namespace paygate::cli
