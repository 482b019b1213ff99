// Nothing recoverable from a copy of the database: an attacker holding every
// value the database keeps (and, on SQLite, every byte of its file and WAL)
// must not get a card number, a CVV or a webhook signing secret back, nor a
// way to test guesses of them. The master key that keys and seals them is
// never in the database.
#include <gtest/gtest.h>
// The SHA256_* functions are deprecated in OpenSSL 3 in favour of EVP, which
// costs far more per short message; the attack below hashes millions.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <array>
#include <boost/json.hpp>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/crypto.h"
#include "flows.h"
#include "harness.h"

namespace paygate::test {
namespace {

namespace json = boost::json;

// ---------------------------------------------------------------- what a copy holds

// Every cell of every table, as text (blobs as their bytes), read through
// SQLite itself, so the WAL's pages count as well.
std::vector<std::string> sqlite_cells(const std::string& path) {
  std::vector<std::string> cells;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << path;
    sqlite3_close(db);
    return cells;
  }
  std::vector<std::string> tables;
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &st, nullptr);
  while (sqlite3_step(st) == SQLITE_ROW) {
    tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  }
  sqlite3_finalize(st);
  for (const auto& table : tables) {
    const std::string sql = "SELECT * FROM \"" + table + "\"";
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) continue;
    while (sqlite3_step(st) == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        const auto* bytes = static_cast<const char*>(sqlite3_column_blob(st, i));
        if (bytes != nullptr) cells.emplace_back(bytes, sqlite3_column_bytes(st, i));
      }
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return cells;
}

// Every cell of every table of the server's PostgreSQL database, as text.
std::vector<std::string> postgres_cells(const std::string& url) {
  std::vector<std::string> cells;
  const auto tables = pg_query(url,
                               "SELECT table_name FROM information_schema.tables"
                               " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'");
  EXPECT_FALSE(tables.empty());
  for (const auto& t : tables) {
    for (const auto& row : pg_query(url, "SELECT * FROM \"" + t[0] + "\"")) {
      for (const auto& cell : row) cells.push_back(cell);
    }
  }
  return cells;
}

// Runs of printable bytes in a file: what is left of deleted rows and old
// page versions, which no query shows.
std::vector<std::string> printable_runs(const std::string& bytes) {
  std::vector<std::string> runs;
  std::string run;
  for (const char c : bytes) {
    if (c >= 0x20 && c < 0x7f) {
      run.push_back(c);
    } else {
      if (run.size() >= 16) runs.push_back(run);
      run.clear();
    }
  }
  if (run.size() >= 16) runs.push_back(run);
  return runs;
}

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '+' || c == '/' ||
         c == '=' || c == '-';
}

// The first 8 bytes of a 32-byte digest: what a guess's digest is looked up by.
std::uint64_t digest_prefix(const unsigned char* digest) {
  std::uint64_t v = 0;
  std::memcpy(&v, digest, sizeof v);
  return v;
}

std::string hex_decoded(const std::string& s) {
  std::string raw;
  for (std::size_t i = 0; i + 1 < s.size(); i += 2) {
    raw.push_back(static_cast<char>(std::stoi(s.substr(i, 2), nullptr, 16)));
  }
  return raw;
}

// Every value worth testing as a key or a digest: each cell whole, and each
// token in it (a value inside JSON or "v1.<id>.<base64>"), hex- or
// base64-decoded too.
struct Found {
  std::unordered_set<std::uint64_t> digests;  // every 32-byte value, by its first 8 bytes
  std::vector<std::string> keys;              // to key HMACs with
};

Found gather(const std::vector<std::string>& cells) {
  Found f;
  std::set<std::string> keys;
  const auto add_digest = [&](const std::string& raw) {
    if (raw.size() == 32)
      f.digests.insert(digest_prefix(reinterpret_cast<const unsigned char*>(raw.data())));
  };
  const auto add = [&](const std::string& s) {
    add_digest(s);
    if (s.size() < 16) return;
    const bool digits = s.find_first_not_of("0123456789") == std::string::npos;
    const bool spaced = s.find_first_of(" \t\n") != std::string::npos;
    // Amounts, times and prose are no key; everything else may be.
    if (s.size() <= 512 && !digits && !spaced) keys.insert(s);
    const bool hex =
        s.size() % 2 == 0 && s.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
    if (hex) {
      keys.insert(hex_decoded(s));
      add_digest(hex_decoded(s));
    }
    if (auto raw = base64_decode(s)) {
      add_digest(*raw);
      if (raw->size() >= 16 && raw->size() <= 512) keys.insert(*raw);
    }
  };
  for (const auto& cell : cells) {
    add(cell);
    std::string token;
    for (const char c : cell + ' ') {
      if (is_token_char(c)) {
        token.push_back(c);
      } else {
        if (token != cell) add(token);
        token.clear();
      }
    }
  }
  f.keys.assign(keys.begin(), keys.end());
  return f;
}

// ---------------------------------------------------------------- the attacker's hashing

// SHA-256, or HMAC-SHA256 under one key, with a prefix of the message (and
// the key's pads) absorbed once: each guess then costs only the digest of
// what follows the prefix. (The one-shot SHA256_* functions copy as plain
// structs, far cheaper than an EVP context per guess.)
class Hasher {
 public:
  static Hasher plain() { return Hasher(std::nullopt); }
  static Hasher keyed(std::string key) { return Hasher(std::move(key)); }

  Hasher with_prefix(std::string_view prefix) const {
    Hasher h = *this;
    SHA256_Update(&h.inner_, prefix.data(), prefix.size());
    return h;
  }
  // The first 8 bytes of the digest of prefix + rest.
  std::uint64_t digest_of(std::string_view rest) const {
    SHA256_CTX ctx = inner_;
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256_Update(&ctx, rest.data(), rest.size());
    SHA256_Final(md, &ctx);
    if (outer_) {
      ctx = *outer_;
      SHA256_Update(&ctx, md, sizeof md);
      SHA256_Final(md, &ctx);
    }
    return digest_prefix(md);
  }

 private:
  explicit Hasher(std::optional<std::string> key) {
    SHA256_Init(&inner_);
    if (!key) return;
    std::array<unsigned char, 64> block{};
    if (key->size() > block.size()) {
      SHA256(reinterpret_cast<const unsigned char*>(key->data()), key->size(), block.data());
    } else {
      std::copy(key->begin(), key->end(), block.begin());
    }
    std::array<unsigned char, 64> pad{};
    for (std::size_t i = 0; i < block.size(); ++i) pad[i] = block[i] ^ 0x36;
    SHA256_Update(&inner_, pad.data(), pad.size());
    outer_.emplace();
    SHA256_Init(&*outer_);
    for (std::size_t i = 0; i < block.size(); ++i) pad[i] = block[i] ^ 0x5c;
    SHA256_Update(&*outer_, pad.data(), pad.size());
  }

  SHA256_CTX inner_{};
  std::optional<SHA256_CTX> outer_;
};

bool luhn_valid(std::string_view digits) {
  int sum = 0;
  bool twice = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int d = *it - '0';
    if (twice && (d *= 2) > 9) d -= 9;
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

// A card only this run knows: a known BIN and last four digits around six
// random ones (what an attacker would have to find).
std::string secret_card_number() {
  std::mt19937_64 rng(std::random_device{}());
  for (;;) {
    std::string n = "411111";
    for (int i = 0; i < 6; ++i) n.push_back(static_cast<char>('0' + rng() % 10));
    n += "123";
    for (char check = '0'; check <= '9'; ++check) {
      if (luhn_valid(n + check)) return n + check;
    }
  }
}

// The canonical request (keys sorted, no white space) the server fingerprints
// an Idempotency-Key with; the body is sent in exactly this form.
std::string payment_body(std::string_view order_id, std::string_view number, std::string_view cvv) {
  json::object card;
  card["cvv"] = cvv;
  card["expiry_month"] = "12";
  card["expiry_year"] = "2039";
  card["number"] = number;
  json::object body;
  body["card"] = std::move(card);
  body["key_id"] = kDemoKey;
  body["method"] = "card";
  body["order_id"] = order_id;
  return json::serialize(body);
}

constexpr std::string_view kPublicPayments = "/api/v1/payments/public";

// What a guess is compared with: its digests, plain and under every key
// found, looked up among the strings found. `prefix` is what every guess of
// one kind starts with.
class Attacker {
 public:
  Attacker(const Found& found, std::string_view prefix) : found_(found) {
    hashers_.push_back(Hasher::plain().with_prefix(prefix));
    for (const auto& k : found.keys) hashers_.push_back(Hasher::keyed(k).with_prefix(prefix));
  }
  // How `rest` (after the prefix) is found, or "".
  std::string match(std::string_view rest) const {
    for (std::size_t i = 0; i < hashers_.size(); ++i) {
      if (found_.digests.contains(hashers_[i].digest_of(rest))) {
        return i == 0 ? std::string("its SHA-256")
                      : "its HMAC-SHA256 under a stored value of " +
                            std::to_string(found_.keys[i - 1].size()) + " bytes";
      }
    }
    return {};
  }

 private:
  const Found& found_;
  std::vector<Hasher> hashers_;
};

void expect_card_unrecoverable(const std::vector<std::string>& cells, const std::string& number,
                               const std::string& cvv, const std::string& order_id) {
  const Found found = gather(cells);
  ASSERT_FALSE(found.keys.empty());
  {
    // The attack itself works: a fingerprint keyed by a stored value is found.
    std::vector<std::string> planted = cells;
    const std::string key = "a-key-kept-in-the-database-0123456789";
    planted.push_back(key);
    planted.push_back(hmac_sha256_hex(key, number));
    const Found with_key = gather(planted);
    EXPECT_NE(Attacker(with_key, "").match(number), "") << "the attack finds nothing at all";
    EXPECT_NE(Attacker(gather({sha256_hex(number)}), "").match(number), "");
  }
  for (const auto& cell : cells) {
    ASSERT_EQ(cell.find(number), std::string::npos) << "the card number is stored";
  }
  // The request as the server saw it, cut where the number starts.
  const std::string request =
      "POST\n" + std::string(kPublicPayments) + "\n" + payment_body(order_id, number, cvv);
  const std::size_t at = request.find(number);
  const std::string after = request.substr(at + number.size());
  const Attacker number_alone(found, "");
  const Attacker in_request(found, std::string_view(request).substr(0, at));

  const std::string bin = number.substr(0, 6);
  const std::string last4 = number.substr(12);
  int candidates = 0;
  for (int middle = 0; middle < 1'000'000; ++middle) {
    char six[7];
    std::snprintf(six, sizeof six, "%06d", middle);
    const std::string guess = bin + six + last4;
    if (!luhn_valid(guess)) continue;
    ++candidates;
    for (const auto& [attacker, rest] :
         {std::pair{&number_alone, guess}, std::pair{&in_request, guess + after}}) {
      const std::string how = attacker->match(rest);
      ASSERT_TRUE(how.empty()) << "the card number " << (guess == number ? "" : "(a guess) ")
                               << "is recovered by " << how;
    }
  }
  EXPECT_EQ(candidates, 100'000);
  const Attacker after_number(found, number);
  const std::string body_prefix = request.substr(0, request.find(cvv));
  const Attacker in_body(found, body_prefix);
  const std::string body_rest = request.substr(body_prefix.size() + cvv.size());
  for (int c = 0; c < 1000; ++c) {
    char three[4];
    std::snprintf(three, sizeof three, "%03d", c);
    for (const auto& [attacker, rest] :
         {std::pair{&number_alone, std::string(three)},
          std::pair{&after_number, std::string(three)}, std::pair{&in_body, three + body_rest}}) {
      const std::string how = attacker->match(rest);
      ASSERT_TRUE(how.empty()) << "the CVV is recovered by " << how;
    }
  }
}

// ---------------------------------------------------------------- the tests

// The issue's attack: one checkout card payment, then every value the
// database holds is tried as a digest and as a key for every candidate.
TEST(DataAtRest, ACheckoutCardPaymentCannotBeRecoveredFromTheDatabase) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string number = secret_card_number();
  const std::string cvv = "7" + std::to_string(std::random_device{}() % 90 + 10);
  const std::string order_id = create_order(c);
  const std::string body = payment_body(order_id, number, cvv);
  const auto paid = c.post(kPublicPayments, body, {{"Idempotency-Key", "checkout-attempt-1"}});
  ASSERT_EQ(paid.status, 201) << paid.body;
  const std::string payment_id = str(object_of(paid).at("id"));
  EXPECT_EQ(str(wait_settled(c, payment_id).at("status")), "SUCCESS");
  // The retry a double click makes is answered from the record.
  const auto again = c.post(kPublicPayments, body, {{"Idempotency-Key", "checkout-attempt-1"}});
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, paid.body);

  std::vector<std::string> cells;
  if (on_postgres()) {
    cells = postgres_cells(server->database_url());
  } else {
    cells = sqlite_cells(server->db_path());
    for (const char* suffix : {"", "-wal"}) {
      for (auto& run : printable_runs(read_file(server->db_path() + suffix))) {
        cells.push_back(std::move(run));
      }
    }
  }
  ASSERT_FALSE(cells.empty());
  expect_card_unrecoverable(cells, number, cvv, order_id);
}

// The same key with another card is another request: 422, not a replay of
// the first card's answer (the fingerprint keeps the card, keyed).
TEST(DataAtRest, TheSameIdempotencyKeyWithAnotherCardIs422) {
  auto server = TestServer::start();
  auto c = server->client();
  const std::string order_id = create_order(c);
  const Headers key{{"Idempotency-Key", "same-key"}};
  const auto first =
      c.post(kPublicPayments, payment_body(order_id, "4242424242424242", "123"), key);
  ASSERT_EQ(first.status, 201) << first.body;
  const auto other =
      c.post(kPublicPayments, payment_body(order_id, "5555555555554444", "123"), key);
  EXPECT_EQ(other.status, 422) << other.body;
  EXPECT_EQ(other.error_code(), "IDEMPOTENCY_ERROR");
  // Only the CVV differs: the same card, so the same request (the CVV is in no fingerprint).
  const auto cvv = c.post(kPublicPayments, payment_body(order_id, "4242424242424242", "999"), key);
  EXPECT_EQ(cvv.status, 201) << cvv.body;
  EXPECT_EQ(cvv.body, first.body);
}

// A webhook signing secret (and the previous one after a rotation) is kept
// sealed: the API shows it as before, the database holds no trace of it.
TEST(DataAtRest, WebhookSigningSecretsAreSealed) {
  auto server = TestServer::start();
  auto c = server->client();
  const auto made = c.post("/api/v1/webhooks", R"({"url":"http://127.0.0.1:9/hook"})", [] {
    auto h = demo_auth();
    h.emplace_back("Idempotency-Key", "make-hook");
    return h;
  }());
  ASSERT_EQ(made.status, 201) << made.body;
  const auto hook = object_of(made);
  const std::string id = str(hook.at("id"));
  const std::string first_secret = str(hook.at("secret"));
  const auto rotated = c.post("/api/v1/webhooks/" + id + "/rotate-secret", "", demo_auth());
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const std::string second_secret = str(object_of(rotated).at("secret"));
  ASSERT_NE(first_secret, second_secret);
  const auto read = c.get("/api/v1/webhooks/" + id, demo_auth());
  EXPECT_EQ(str(object_of(read).at("secret")), second_secret);

  std::vector<std::string> cells =
      on_postgres() ? postgres_cells(server->database_url()) : sqlite_cells(server->db_path());
  if (!on_postgres()) {
    for (const char* suffix : {"", "-wal"}) cells.push_back(read_file(server->db_path() + suffix));
  }
  for (const auto& cell : cells) {
    for (const auto& secret : {first_secret, second_secret}) {
      ASSERT_EQ(cell.find(secret), std::string::npos) << "a signing secret is stored in clear";
    }
  }
}

}  // namespace
}  // namespace paygate::test
