// The master key: required outside test mode, made by `paygate keygen`, bound
// to the database it is used with, and rotated by giving the old one beside
// the new. The demo merchant's published credentials work in test mode only.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "core/crypto.h"
#include "flows.h"
#include "harness.h"
#include "receiver.h"

namespace paygate::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::string_view kOtherKey =
    "1d2c3b4a59687f8e9dacbbcad9e8f70615243342516f7e8d9cabbac9d8e7f605";

bool has(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

std::size_t lines_in(std::string_view text) {
  std::size_t n = 0;
  for (const char c : text) n += c == '\n';
  return n;
}

// What each command that needs the key says and does without one, outside test mode.
TEST(MasterKey, ALiveStartWithoutOneExits2NamingKeygen) {
  const TempDir dir;
  const std::string url = "sqlite://" + dir.path() + "/paygate.db";
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"serve", "--listen", "127.0.0.1:0", "--database", url},
        std::vector<std::string>{"worker", "--database", url},
        std::vector<std::string>{"migrate", "--database", url}}) {
    const auto r = run_paygate(args, {{"PAYGATE_MASTER_KEY", ""}}, 10s);
    EXPECT_EQ(r.exit_code, 2) << args[0] << ": " << r.err;
    EXPECT_TRUE(has(r.err, "paygate keygen")) << args[0] << ": " << r.err;
    EXPECT_EQ(lines_in(r.err), 1u) << args[0] << ": " << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/paygate.db")) << "refused before opening";
  // Test mode makes a key of its own, beside the database, and says so.
  const auto migrated = run_paygate({"migrate", "--database", url},
                                    {{"PAYGATE_MASTER_KEY", ""}, {"PAYGATE_TEST_MODE", "1"}});
  EXPECT_EQ(migrated.exit_code, 0) << migrated.err;
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() + "/paygate.db.master-key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(MasterKey, KeygenPrintsOrWritesANewFileOnlyTheOwnerReads) {
  const auto printed = run_paygate({"keygen"});
  EXPECT_EQ(printed.exit_code, 0) << printed.err;
  EXPECT_TRUE(std::regex_match(printed.out, std::regex("[0-9a-f]{64}\n"))) << printed.out;
  EXPECT_NE(run_paygate({"keygen"}).out, printed.out);

  const TempDir dir;
  const std::string path = dir.path() + "/master.key";
  const auto written = run_paygate({"keygen", "--out", path});
  EXPECT_EQ(written.exit_code, 0) << written.err;
  const std::string key = read_file(path);
  EXPECT_TRUE(std::regex_match(key, std::regex("[0-9a-f]{64}\n"))) << key;
  EXPECT_FALSE(has(written.out + written.err, key.substr(0, 64))) << "the key is not printed";
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // Never over an existing key: that would lose what its database needs.
  const auto again = run_paygate({"keygen", "--out", path});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(read_file(path), key);

  // The file it writes is what serve reads.
  const auto migrated = run_paygate({"migrate", "--master-key-file", path, "--database",
                                     "sqlite://" + dir.path() + "/paygate.db"},
                                    {{"PAYGATE_MASTER_KEY", ""}});
  EXPECT_EQ(migrated.exit_code, 0) << migrated.err;
}

// The issue's case: a database served in test mode, then live with a master key.
TEST(MasterKey, TheDemoKeyIs401OnceTheSameDatabaseIsServedLive) {
  auto server = TestServer::start();
  auto c = server->client();
  create_order(c);
  const std::string order = create_order(c);

  ServerOptions live;
  live.test_mode = false;
  server->relaunch(live);
  c = server->client();
  const auto read = c.get("/api/v1/orders/" + order, demo_auth());
  EXPECT_EQ(read.status, 401) << read.body;
  EXPECT_EQ(read.error_code(), "AUTHENTICATION_ERROR");
  const auto made = c.post("/api/v1/orders", R"({"amount":100,"currency":"INR"})", demo_auth());
  EXPECT_EQ(made.status, 401) << made.body;
  // The publishable key no longer opens the checkout either.
  const auto checkout =
      c.post("/api/v1/orders/" + order + "/public", "", {{"X-Api-Key", std::string(kDemoKey)}});
  EXPECT_NE(checkout.status, 200);
  const auto said = [&] {
    std::size_t n = 0;
    const std::string log = server->log();
    for (auto at = log.find("demo merchant"); at != std::string::npos;
         at = log.find("demo merchant", at + 1)) {
      ++n;
    }
    return n;
  };
  EXPECT_EQ(said(), 1u) << server->log();
  // Said once: a second live start finds it disabled already.
  server->relaunch(live);
  EXPECT_EQ(server->client().get("/api/v1/orders/" + order, demo_auth()).status, 401);
  EXPECT_EQ(said(), 1u) << server->log();
  // Test mode again: the demo merchant is back, with its orders.
  server->relaunch(ServerOptions{});
  EXPECT_EQ(server->client().get("/api/v1/orders/" + order, demo_auth()).status, 200);
}

std::string signature_of(std::string_view secret, std::string_view body) {
  return hmac_sha256_hex(secret, body);
}

// A database is used with one master key: another is refused until it is
// given as the new key of a rotation, beside the old one.
TEST(MasterKey, AnotherKeyIsRefusedUntilARotationResealsTheSecrets) {
  Receiver receiver;
  auto server = TestServer::start();
  auto c = server->client();
  const auto made =
      c.post("/api/v1/webhooks", json::serialize(json::object{{"url", receiver.url("/hook")}}),
             demo_auth());
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string id = str(object_of(made).at("id"));
  const std::string secret = str(object_of(made).at("secret"));
  EXPECT_EQ(server->stop(SIGTERM), 0);

  const std::string url = server->database_url();
  const auto refused =
      run_paygate({"serve", "--test-mode", "--listen", "127.0.0.1:0", "--database", url},
                  {{"PAYGATE_MASTER_KEY", std::string(kOtherKey)}}, 15s);
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_TRUE(has(refused.err, "previous-master-key-file")) << refused.err;

  const TempDir keys;
  const std::string old_key_file = keys.path() + "/old.key";
  { std::ofstream(old_key_file) << kMasterKey << "\n"; }
  ServerOptions rotating;
  rotating.args = {"--previous-master-key-file", old_key_file};
  rotating.env = {{"PAYGATE_MASTER_KEY", std::string(kOtherKey)}};
  server->relaunch(rotating);
  EXPECT_TRUE(has(server->log(), "master key rotated")) << server->log();
  c = server->client();
  EXPECT_EQ(str(object_of(c.get("/api/v1/webhooks/" + id, demo_auth())).at("secret")), secret);

  // Bound to the new key now: it alone serves, and signs with the same secret.
  ServerOptions rotated;
  rotated.env = {{"PAYGATE_MASTER_KEY", std::string(kOtherKey)}};
  server->relaunch(rotated);
  c = server->client();
  const auto test = c.post("/api/v1/webhooks/" + id + "/test", "", demo_auth());
  ASSERT_LT(test.status, 300) << test.body;
  ASSERT_TRUE(receiver.wait_for("/hook", 1));
  const auto delivered = receiver.requests("/hook").at(0);
  EXPECT_EQ(delivered.header("X-Signature"), signature_of(secret, delivered.body));
  EXPECT_EQ(server->stop(SIGTERM), 0);
  const auto old_refused = run_paygate({"migrate", "--database", url}, {}, 15s);
  EXPECT_EQ(old_refused.exit_code, 2) << old_refused.err;
}

}  // namespace
}  // namespace paygate::test
