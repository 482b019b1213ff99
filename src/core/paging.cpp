#include "core/paging.h"

namespace paygate {

Status validate_page_window(const PageWindow& page) {
  if (page.count < 1 || page.count > kMaxPageCount) {
    return fail(Error::bad_request("count must be between 1 and 100", "count"));
  }
  if (page.skip < 0) return fail(Error::bad_request("skip must not be negative", "skip"));
  if (page.from < 0) return fail(Error::bad_request("from must not be negative", "from"));
  if (page.to < 0) return fail(Error::bad_request("to must not be negative", "to"));
  if (page.from > page.to) return fail(Error::bad_request("from must not be after to", "from"));
  return {};
}

}  // namespace paygate
