#include "cli/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace paygate::cli {

namespace {

constexpr std::size_t kMaxErrorBody = 64 * 1024;
// A line the server never ends is not a stream we can follow.
constexpr std::size_t kMaxLineBytes = 4 * 1024 * 1024;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

Slist make_headers(const HeaderList& headers) {
  curl_slist* list = nullptr;
  for (const auto& [name, value] : headers) {
    // "Name;" is how libcurl sends a header with an empty value.
    const std::string line = value.empty() ? name + ";" : name + ": " + value;
    list = curl_slist_append(list, line.c_str());
  }
  // No "Expect: 100-continue" round trip before a body: a receiver under
  // development need not know it, and it only adds latency.
  list = curl_slist_append(list, "Expect:");
  return Slist(list);
}

// What the callbacks of one exchange share.
struct Exchange {
  HttpResponse* response = nullptr;
  // Stream mode only.
  StreamCallbacks* callbacks = nullptr;
  SseParser parser;
  bool streaming = false;  // the head said 200 text/event-stream
  bool head_done = false;
  bool stopped = false;
  bool idle = false;
  bool too_long = false;
  std::chrono::steady_clock::time_point last_byte;
  std::chrono::milliseconds idle_timeout{0};
  const std::function<bool()>* abort = nullptr;
  CURL* curl = nullptr;
};

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* x = static_cast<Exchange*>(user);
  const std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) {
    // A new response head (after a 100 Continue, say): forget the last one's.
    x->response->headers.clear();
    return line.size();
  }
  const std::string_view trimmed = trim(line);
  if (trimmed.empty()) {
    long status = 0;
    curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200) {
      x->head_done = true;
      x->response->status = status;
      if (x->callbacks != nullptr && status == 200 &&
          trim(x->response->header("Content-Type")).starts_with("text/event-stream")) {
        x->streaming = true;
        x->last_byte = std::chrono::steady_clock::now();
        if (x->callbacks->on_open) x->callbacks->on_open();
      }
    }
    return line.size();
  }
  if (const auto colon = trimmed.find(':'); colon != std::string_view::npos) {
    x->response->headers.emplace_back(std::string(trim(trimmed.substr(0, colon))),
                                      std::string(trim(trimmed.substr(colon + 1))));
  }
  return line.size();
}

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* x = static_cast<Exchange*>(user);
  const std::string_view bytes(data, size * n);
  if (!x->streaming) {
    if (x->callbacks != nullptr && x->response->body.size() + bytes.size() > kMaxErrorBody) {
      return CURL_WRITEFUNC_ERROR;
    }
    x->response->body.append(bytes);
    return bytes.size();
  }
  x->last_byte = std::chrono::steady_clock::now();
  for (const auto& m : x->parser.feed(bytes)) {
    if (x->stopped) break;
    if (x->callbacks->on_message && !x->callbacks->on_message(m)) x->stopped = true;
  }
  if (x->parser.buffered() > kMaxLineBytes) x->too_long = true;
  return x->stopped || x->too_long ? CURL_WRITEFUNC_ERROR : bytes.size();
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* x = static_cast<Exchange*>(user);
  if (x->abort != nullptr && *x->abort && (*x->abort)()) {
    x->stopped = true;
    return 1;
  }
  if (x->callbacks != nullptr) {
    if (x->callbacks->should_stop && x->callbacks->should_stop()) {
      x->stopped = true;
      return 1;
    }
    if (x->streaming && std::chrono::steady_clock::now() - x->last_byte > x->idle_timeout) {
      x->idle = true;
      return 1;
    }
  }
  return 0;
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return v;
  }
  return "";
}

struct HttpClient::Impl {
  CURL* curl = nullptr;
  char errbuf[CURL_ERROR_SIZE] = {};

  // Options every exchange sets afresh (curl_easy_reset keeps the connections).
  void prepare(const HttpRequest& r, curl_slist* headers, Exchange& x) {
    curl_easy_reset(curl);
    errbuf[0] = '\0';
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "paygate-cli/" PAYGATE_VERSION);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(r.connect_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &x);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &x);
    if (r.method == "GET") {
      curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    } else {
      if (r.method != "POST") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, r.method.c_str());
      curl_easy_setopt(curl, CURLOPT_POST, 1L);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, r.body.data());
    }
    x.curl = curl;
  }

  std::string error_text(CURLcode rc) const {
    return errbuf[0] != '\0' ? std::string(trim(errbuf)) : curl_easy_strerror(rc);
  }
};

HttpClient::HttpClient() : impl_(std::make_unique<Impl>()) {
  impl_->curl = curl_easy_init();
  if (impl_->curl == nullptr) throw std::runtime_error("libcurl: cannot make a handle");
}

HttpClient::~HttpClient() {
  curl_easy_cleanup(impl_->curl);
}

HttpResponse HttpClient::send(const HttpRequest& request, const std::function<bool()>& abort) {
  HttpResponse response;
  Exchange x;
  x.response = &response;
  x.abort = &abort;
  const Slist headers = make_headers(request.headers);
  impl_->prepare(request, headers.get(), x);
  curl_easy_setopt(impl_->curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  const auto start = std::chrono::steady_clock::now();
  const CURLcode rc = curl_easy_perform(impl_->curl);
  response.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  if (rc != CURLE_OK) {
    response.status = 0;
    response.error = x.stopped ? "stopped" : impl_->error_text(rc);
    return response;
  }
  curl_easy_getinfo(impl_->curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

StreamResult HttpClient::stream(const HttpRequest& request, StreamCallbacks& callbacks,
                                std::chrono::milliseconds idle_timeout) {
  StreamResult result;
  Exchange x;
  x.response = &result.response;
  x.callbacks = &callbacks;
  x.idle_timeout = idle_timeout;
  HeaderList headers = request.headers;
  headers.emplace_back("Accept", "text/event-stream");
  headers.emplace_back("Cache-Control", "no-cache");
  const Slist list = make_headers(headers);
  impl_->prepare(request, list.get(), x);
  const auto start = std::chrono::steady_clock::now();
  const CURLcode rc = curl_easy_perform(impl_->curl);
  result.response.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  result.opened = x.streaming;
  result.retry_ms = x.parser.retry_ms();
  if (x.stopped) {
    result.end = StreamEnd::kStopped;
  } else if (x.idle) {
    result.end = StreamEnd::kIdle;
  } else if (x.streaming) {
    result.end = StreamEnd::kClosed;
    if (x.too_long)
      result.response.error = "a line of the stream is too long";
    else if (rc != CURLE_OK)
      result.response.error = impl_->error_text(rc);
  } else if (x.head_done) {
    result.end = StreamEnd::kRefused;
    if (rc == CURLE_OK)
      curl_easy_getinfo(impl_->curl, CURLINFO_RESPONSE_CODE, &result.response.status);
  } else {
    result.end = StreamEnd::kFailed;
    result.response.status = 0;
    result.response.error = impl_->error_text(rc);
  }
  return result;
}

void http_global_init() {
  static const bool done = [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw std::runtime_error("libcurl: cannot initialise");
    }
    return true;
  }();
  (void)done;
}

}  // namespace paygate::cli
