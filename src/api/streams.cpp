#include "api/streams.h"

#include <algorithm>
#include <charconv>

#include "core/json_writer.h"

namespace paygate::api {

namespace asio = boost::asio;
using http::Reply;
using http::StreamSink;

namespace {

// Events read at a time: a client far behind catches up in pages.
constexpr std::int64_t kPage = 100;
// After a failed read, the stream waits this long (heartbeats go on).
constexpr std::chrono::milliseconds kRetryRead{1000};

constexpr std::string_view kConnected = ": connected\n\n";
constexpr std::string_view kHeartbeat = ": heartbeat\n\n";

Reply stream_reply(http::StreamBody body) {
  Reply r;
  r.content_type = "text/event-stream";
  // Proxies that buffer (nginx) would hold the events back.
  r.headers.emplace_back("X-Accel-Buffering", "no");
  r.stream = std::move(body);
  return r;
}

// Reads and sends the events after `after` (updating it), a page at a time;
// false when the client is gone. Nothing read is kept once sent: an idle
// stream holds no event.
asio::awaitable<std::optional<bool>> send_events_after(const EventStream& stream,
                                                       std::int64_t& after, StreamSink& sink) {
  for (;;) {
    auto events = co_await stream.log.after(stream.merchant_id, after, kPage);
    if (!events) co_return std::nullopt;
    std::string out;
    for (const auto& e : *events) {
      after = e.seq.value_or(after);
      if (!stream.types.empty() &&
          std::find(stream.types.begin(), stream.types.end(), e.type) == stream.types.end()) {
        continue;
      }
      append_sse_message(out, e.seq, e.type, e.payload);
    }
    if (!out.empty() && !co_await sink.write(out)) co_return false;
    if (static_cast<std::int64_t>(events->size()) < kPage) co_return true;
  }
}

asio::awaitable<void> run_event_stream(EventStream stream,
                                       std::shared_ptr<EventHub::Subscription> subscription,
                                       std::shared_ptr<void> /*slot*/, StreamSink& sink) {
  subscription->set_waker(sink.waker());
  {
    std::string start(kConnected);
    // An id with no data sets the client's Last-Event-ID without an event: a
    // client that must reconnect before the first event comes then resumes
    // from here instead of from whatever is newest by then.
    start += "id: ";
    start += std::to_string(stream.after);
    start += "\n\n";
    if (!co_await sink.write(start)) co_return;
  }
  std::int64_t after = stream.after;
  // The log is read when the hub says it grew (and once at the start), never
  // on a heartbeat: an idle stream costs no database work.
  bool read = true;
  for (;;) {
    if (read) {
      const auto sent = co_await send_events_after(stream, after, sink);
      if (sent && !*sent) co_return;
      if (!sent) {
        if (!co_await sink.write(": the events log cannot be read now; retrying\n\n")) co_return;
        (void)co_await sink.wait(kRetryRead);
        if (sink.stopping()) co_return;
        continue;
      }
    }
    read = co_await sink.wait(stream.heartbeat);
    if (sink.stopping()) co_return;
    if (!read && !co_await sink.write(kHeartbeat)) co_return;
  }
}

void append_request(std::string& out, const http::LoggedRequest& r) {
  JsonWriter w(256);
  w.begin_object();
  w.field("request_id", std::string_view(r.request_id));
  w.field("method", std::string_view(r.method));
  w.field("path", std::string_view(r.path));
  w.field("status", std::int64_t{r.status});
  w.field("duration_ms", r.duration_ms);
  w.field("idempotency_key", r.idempotency_key);
  w.key("created_at").timestamp(r.at);
  w.end_object();
  append_sse_message(out, std::nullopt, "request", w.str());
}

asio::awaitable<void> run_request_stream(std::shared_ptr<http::RequestLog::Reader> reader,
                                         std::chrono::milliseconds heartbeat,
                                         std::shared_ptr<void> /*slot*/, StreamSink& sink) {
  reader->set_waker(sink.waker());
  if (!co_await sink.write(kConnected)) co_return;
  for (;;) {
    {
      // Not kept while waiting: an idle stream holds no entry and no text.
      std::size_t dropped = 0;
      const auto entries = reader->take(dropped);
      std::string out;
      if (dropped > 0) {
        out += ": ";
        out += std::to_string(dropped);
        out += " requests left out: the stream was read too slowly\n\n";
      }
      for (const auto& e : entries) append_request(out, e);
      if (!out.empty() && !co_await sink.write(out)) co_return;
    }
    const bool woken = co_await sink.wait(heartbeat);
    if (sink.stopping()) co_return;
    if (!woken && !co_await sink.write(kHeartbeat)) co_return;
  }
}

}  // namespace

void append_sse_message(std::string& out, std::optional<std::int64_t> id, std::string_view event,
                        std::string_view data) {
  if (id) {
    std::array<char, 24> digits{};
    const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), *id).ptr;
    out += "id: ";
    out.append(digits.data(), end);
    out += '\n';
  }
  out += "event: ";
  out += event;
  out += "\ndata: ";
  out += data;
  out += "\n\n";
}

Reply event_stream_reply(EventStream stream, std::shared_ptr<EventHub::Subscription> subscription,
                         std::shared_ptr<void> slot) {
  return stream_reply([stream = std::move(stream), subscription = std::move(subscription),
                       slot = std::move(slot)](StreamSink& sink) {
    return run_event_stream(stream, subscription, slot, sink);
  });
}

Reply request_stream_reply(std::shared_ptr<http::RequestLog::Reader> reader,
                           std::chrono::milliseconds heartbeat, std::shared_ptr<void> slot) {
  return stream_reply(
      [reader = std::move(reader), heartbeat, slot = std::move(slot)](StreamSink& sink) {
        return run_request_stream(reader, heartbeat, slot, sink);
      });
}

}  // namespace paygate::api
