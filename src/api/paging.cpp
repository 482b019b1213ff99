#include "api/paging.h"

#include "api/body.h"

namespace paygate::api {

namespace {

constexpr std::int64_t kMaxSeconds = INT64_MAX / 1'000'000 - 1;

Result<std::optional<Micros>> unix_seconds(const http::Request& req, std::string_view name) {
  auto v = parse_query_int(req.query_param(name), name);
  if (!v) return fail(v.error());
  if (!*v) return std::nullopt;
  if (**v < 0 || **v > kMaxSeconds) {
    return fail(Error::bad_request(std::string(name) + " must be a unix time in seconds",
                                   std::string(name)));
  }
  return **v * 1'000'000;
}

}  // namespace

Result<PageWindow> parse_time_window(const http::Request& req) {
  PageWindow page;
  auto from = unix_seconds(req, "from");
  if (!from) return fail(from.error());
  if (*from) page.from = **from;
  auto to = unix_seconds(req, "to");
  if (!to) return fail(to.error());
  if (*to) page.to = **to + 999'999;  // the whole second
  if (page.from > page.to) return fail(Error::bad_request("from must not be after to", "from"));
  return page;
}

Result<PageWindow> parse_page_window(const http::Request& req) {
  auto window = parse_time_window(req);
  if (!window) return fail(window.error());
  PageWindow page = *window;
  auto count = parse_query_int(req.query_param("count"), "count");
  if (!count) return fail(count.error());
  if (*count) page.count = **count;
  auto skip = parse_query_int(req.query_param("skip"), "skip");
  if (!skip) return fail(skip.error());
  if (*skip) page.skip = **skip;
  return page;
}

}  // namespace paygate::api
