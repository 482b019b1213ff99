// The files embedded in the binary at build time (see cmake/embed_files.cmake
// and PAYGATE_WEB_ROOTS in CMakeLists.txt): each one's URL path, ETag and bytes.
#pragma once

#include <span>
#include <string_view>

namespace paygate::http {

struct EmbeddedFile {
  std::string_view path;  // the URL path it is known by, e.g. "/static/css/app.css"
  std::string_view etag;  // quoted, from the file's SHA-256
  const char* begin;
  const char* end;

  std::string_view bytes() const { return {begin, static_cast<std::size_t>(end - begin)}; }
};

// Sorted by path within each root; generated.
std::span<const EmbeddedFile> embedded_files();

}  // namespace paygate::http
