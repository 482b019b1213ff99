#include "core/secret_box.h"

#include "core/crypto.h"

namespace paygate {

namespace {

constexpr std::string_view kVersion = "v1.";
constexpr std::size_t kKeyIdLength = 8;

// "v1.<id>.": the key id of a sealed value, or "" when it is not one.
std::string_view key_id_of(std::string_view stored) {
  if (!stored.starts_with(kVersion) || stored.size() < kVersion.size() + kKeyIdLength + 1 ||
      stored[kVersion.size() + kKeyIdLength] != '.') {
    return {};
  }
  return stored.substr(kVersion.size(), kKeyIdLength);
}

}  // namespace

bool is_sealed(std::string_view stored) {
  return !key_id_of(stored).empty();
}

std::string SecretBox::seal(std::string_view plaintext, std::string_view context) const {
  std::string out(kVersion);
  out += keys_.current.id;
  out.push_back('.');
  out += base64_encode(aes256gcm_seal(keys_.current.encryption, plaintext, context));
  return out;
}

Result<std::string> SecretBox::open(std::string_view stored, std::string_view context) const {
  const std::string_view id = key_id_of(stored);
  if (id.empty()) return std::string(stored);
  const DataKeys* keys = nullptr;
  if (id == keys_.current.id) {
    keys = &keys_.current;
  } else if (keys_.previous && id == keys_.previous->id) {
    keys = &*keys_.previous;
  } else {
    return fail(Error::internal("a value sealed under master key " + std::string(id) +
                                " cannot be opened: that key was not given"));
  }
  const auto bytes = base64_decode(stored.substr(kVersion.size() + kKeyIdLength + 1));
  if (!bytes) return fail(Error::internal("a sealed value is not base64"));
  auto plain = aes256gcm_open(keys->encryption, *bytes, context);
  if (!plain) return fail(Error::internal("a sealed value does not open: " + std::string(context)));
  return std::move(*plain);
}

bool SecretBox::sealed_under_current(std::string_view stored) const {
  return key_id_of(stored) == keys_.current.id;
}

}  // namespace paygate
