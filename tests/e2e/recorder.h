// Records every exchange an e2e test makes through HttpClient, so that the
// OpenAPI response validator (tests/openapi/validate.mjs, run by `make test`)
// can check each response against openapi/paygate.yaml. Off unless the
// environment names a directory in PAYGATE_E2E_RECORD_DIR.
#pragma once

#include <string_view>

namespace paygate::test {

struct HttpResponse;

// Appends {"test", "method", "target", "status", "content_type", "body"} as one
// line to PAYGATE_E2E_RECORD_DIR/<pid>.jsonl (one file per test process, so
// parallel ctest runs never interleave).
void record_exchange(std::string_view method, std::string_view target, const HttpResponse& res);

}  // namespace paygate::test
