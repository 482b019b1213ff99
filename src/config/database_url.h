// DATABASE_URL: sqlite:///abs/path.db, sqlite://rel/path.db,
// postgres://user:pass@host:port/db (also postgresql://).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace paygate {

struct DatabaseUrl {
  enum class Kind { sqlite, postgres };
  Kind kind = Kind::sqlite;
  std::string sqlite_path;  // as written: absolute, or relative to the working directory
  std::string host;
  std::uint16_t port = 5432;
  std::string user;
  std::string password;
  std::string database;
  std::string text;  // the URL as given

  // The URL with any password replaced, for log lines and error messages.
  std::string redacted() const;
};

Result<DatabaseUrl> parse_database_url(std::string_view text);

}  // namespace paygate
