#include "http/static_files.h"

#include <gtest/gtest.h>

namespace paygate::http {
namespace {

std::string_view header(const Reply& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return {};
}

TEST(StaticFiles, ContentTypeFromExtension) {
  EXPECT_EQ(content_type_for("/pages/checkout.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("/checkout.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("/static/css/app.CSS"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("/static/x.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("/static/x.js.map"), "application/json");
  EXPECT_EQ(content_type_for("/static/unknown.bin"), "application/octet-stream");
  EXPECT_EQ(content_type_for("/static/js"), "application/octet-stream");
}

TEST(StaticFiles, PagesAreEmbedded) {
  for (const auto path :
       {"/pages/checkout.html", "/pages/dashboard.html", "/pages/demo.html", "/checkout.js"}) {
    const EmbeddedFile* f = find_embedded_file(path);
    ASSERT_NE(f, nullptr) << path;
    EXPECT_FALSE(f->bytes().empty()) << path;
    EXPECT_TRUE(f->etag.starts_with('"') && f->etag.ends_with('"')) << f->etag;
  }
  EXPECT_EQ(find_embedded_file("/pages/nope.html"), nullptr);
}

TEST(StaticFiles, ServesTheBytesThenRevalidates) {
  const EmbeddedFile* f = find_embedded_file("/checkout.js");
  ASSERT_NE(f, nullptr);
  Request req;
  const Reply full = file_reply(*f, req, {});
  EXPECT_EQ(full.status, 200);
  EXPECT_EQ(full.body, f->bytes());
  EXPECT_EQ(header(full, "ETag"), f->etag);
  EXPECT_EQ(header(full, "Cache-Control"), "no-cache");

  const std::string list = "\"other\", W/" + std::string(f->etag);
  req.headers.push_back({"if-none-match", list});
  const Reply revalidated = file_reply(*f, req, {});
  EXPECT_EQ(revalidated.status, 304);
  EXPECT_TRUE(revalidated.body.empty());

  Request stale;
  stale.headers.push_back({"If-None-Match", "\"something-else\""});
  EXPECT_EQ(file_reply(*f, stale, {}).status, 200);
}

TEST(StaticFiles, OnlyTheCheckoutMayBeFramed) {
  Reply page;
  add_security_headers(page, {});
  EXPECT_EQ(header(page, "X-Frame-Options"), "DENY");
  EXPECT_NE(header(page, "Content-Security-Policy").find("frame-ancestors 'none'"),
            std::string_view::npos);
  EXPECT_EQ(header(page, "Content-Security-Policy").find("unsafe-inline"), std::string_view::npos);

  Reply checkout;
  add_security_headers(checkout, {.framing = Framing::any});
  EXPECT_EQ(header(checkout, "X-Frame-Options"), "");
  EXPECT_NE(header(checkout, "Content-Security-Policy").find("frame-ancestors *"),
            std::string_view::npos);
}

}  // namespace
}  // namespace paygate::http
