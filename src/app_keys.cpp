#include "app_keys.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "store/merchant_repository.h"
#include "store/settings_repository.h"
#include "store/webhook_repository.h"

namespace paygate {

namespace {

constexpr std::string_view kKeyIdSetting = "master_key_id";

std::string test_mode_key_path(const Config& config) {
  if (config.database.kind == DatabaseUrl::Kind::sqlite) {
    return config.database.sqlite_path + ".master-key";
  }
  return "paygate-test-master.key";
}

// The test-mode key file's key, made (mode 0600, never printed) when there is none.
Result<std::string> test_mode_key(const Config& config) {
  const std::string path = test_mode_key_path(config);
  bool made = false;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    const std::string text = new_master_key_text() + "\n";
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (!written) return fail(Error::internal("cannot write the test-mode key file " + path));
    made = true;
  } else if (errno != EEXIST) {
    return fail(Error::internal("cannot make the test-mode key file " + path + ": " +
                                std::strerror(errno)));
  }
  std::ifstream in(path, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto key = parse_master_key(text, path);
  if (!key) return fail(key.error());
  spdlog::warn("test mode: no master key given; {} the key in {} (for test data only)",
               made ? "made" : "using", path);
  return key;
}

}  // namespace

Result<KeyRing> load_key_ring(const Config& config) {
  std::string master = config.master_key;
  if (master.empty()) {
    if (!config.test_mode) {
      return fail(Error::bad_request(
          "no master key: set PAYGATE_MASTER_KEY_FILE (or --master-key-file) to a key made "
          "with 'paygate keygen'"));
    }
    auto made = test_mode_key(config);
    if (!made) return fail(made.error());
    master = std::move(*made);
  }
  KeyRing keys{derive_data_keys(master), std::nullopt};
  if (!config.previous_master_key.empty()) {
    keys.previous = derive_data_keys(config.previous_master_key);
  }
  return keys;
}

Status bind_key_ring(store::Database& db, const SecretBox& box) {
  const KeyRing& keys = box.keys();
  std::int64_t resealed = 0;
  std::int64_t merchants_resealed = 0;
  bool rotated = false;
  auto s = store::write_sync(db, [&](store::Connection& c) -> Status {
    auto stored = store::get_or_create_setting(c, kKeyIdSetting, keys.current.id);
    if (!stored) return fail(stored.error());
    if (*stored != keys.current.id) {
      if (!keys.previous || *stored != keys.previous->id) {
        return fail(Error::bad_request(
            "this database is used with master key " + *stored + ", not with the key given (" +
            keys.current.id +
            "); give the key it is used with, or to move to a new key give the old one as "
            "--previous-master-key-file"));
      }
      if (auto set = store::set_setting(c, kKeyIdSetting, keys.current.id); !set) return set;
      rotated = true;
    }
    // Also seals the secrets of rows written before secrets were sealed.
    auto n = store::reseal_webhook_secrets(c, box);
    if (!n) return fail(n.error());
    resealed = *n;
    auto m = store::reseal_merchant_secrets(c, box);
    if (!m) return fail(m.error());
    merchants_resealed = *m;
    return {};
  });
  if (!s) return s;
  if (rotated) {
    spdlog::info(
        "master key rotated from {} to {}: {} webhook endpoints and {} merchant secrets resealed",
        keys.previous->id, keys.current.id, resealed, merchants_resealed);
  } else if (resealed > 0) {
    spdlog::info("{} webhook endpoints' secrets sealed under master key {}", resealed,
                 keys.current.id);
  }
  return {};
}

}  // namespace paygate
