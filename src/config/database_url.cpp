#include "config/database_url.h"

#include <boost/url/parse.hpp>
#include <charconv>

namespace paygate {

namespace {

Error bad_url(std::string_view why) {
  return Error::bad_request("invalid DATABASE_URL: " + std::string(why), "DATABASE_URL");
}

Result<DatabaseUrl> parse_sqlite(std::string_view text, std::string_view rest) {
  if (rest.empty()) return fail(bad_url("sqlite URL names no file"));
  if (rest.find('\0') != std::string_view::npos || rest.find('?') != std::string_view::npos) {
    return fail(bad_url("sqlite URL has characters a file path cannot have"));
  }
  DatabaseUrl url;
  url.kind = DatabaseUrl::Kind::sqlite;
  // sqlite:///abs/path.db leaves "/abs/path.db"; sqlite://rel/path.db leaves "rel/path.db".
  url.sqlite_path = std::string(rest);
  if (url.sqlite_path.back() == '/') return fail(bad_url("sqlite URL names a directory"));
  url.text = std::string(text);
  return url;
}

Result<DatabaseUrl> parse_postgres(std::string_view text) {
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return fail(bad_url("not a URL"));
  const auto& u = *parsed;
  DatabaseUrl url;
  url.kind = DatabaseUrl::Kind::postgres;
  url.text = std::string(text);
  url.host = u.encoded_host().empty() ? "localhost" : std::string(u.host());
  if (u.has_port()) {
    const auto port = u.port();
    unsigned value = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || p != port.data() + port.size() || value == 0 || value > 65535) {
      return fail(bad_url("port must be a number from 1 to 65535"));
    }
    url.port = static_cast<std::uint16_t>(value);
  }
  url.user = u.has_userinfo() ? std::string(u.user()) : "";
  url.password = u.has_password() ? std::string(u.password()) : "";
  std::string path = std::string(u.path());
  if (path.starts_with('/')) path.erase(0, 1);
  if (path.empty() || path.find('/') != std::string::npos) {
    return fail(bad_url("postgres URL must name one database, as postgres://host/dbname"));
  }
  url.database = path;
  return url;
}

}  // namespace

std::string DatabaseUrl::redacted() const {
  if (kind == Kind::sqlite || password.empty()) return text;
  std::string out = text;
  const auto scheme_end = out.find("://");
  if (scheme_end == std::string::npos) return out;
  // userinfo is "user:password" up to the first '@'; the password may itself hold ':'.
  const auto user_start = scheme_end + 3;
  const auto at = out.find('@', user_start);
  const auto colon = out.find(':', user_start);
  if (at != std::string::npos && colon != std::string::npos && colon < at) {
    out.replace(colon + 1, at - colon - 1, "***");
  }
  return out;
}

Result<DatabaseUrl> parse_database_url(std::string_view text) {
  if (text.starts_with("sqlite://")) return parse_sqlite(text, text.substr(9));
  if (text.starts_with("postgres://") || text.starts_with("postgresql://")) {
    return parse_postgres(text);
  }
  return fail(bad_url("scheme must be sqlite:// or postgres://"));
}

}  // namespace paygate
