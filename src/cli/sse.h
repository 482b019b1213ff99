// A parser of Server-Sent Events (text/event-stream), as the WHATWG HTML
// standard defines the format: bytes in, whole messages out. Pure, so the
// stream readers (listen, logs tail) share one tested implementation and the
// network code only moves bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paygate::cli {

struct SseMessage {
  enum class Kind {
    kEvent,    // a block with data (dispatched as an event)
    kComment,  // a ":" line (paygate sends ": connected" and ": heartbeat")
    kIdOnly,   // a block with an id but no data: moves the cursor, dispatches nothing
  };
  Kind kind = Kind::kEvent;
  // The block's own "id:" field, if it had one (the stream's cursor: a client
  // sends the last one back as Last-Event-ID when it reconnects).
  std::optional<std::string> id;
  std::string event;    // "message" when the block named none
  std::string data;     // "data:" lines joined by "\n"
  std::string comment;  // kComment: the text after ":" (one leading space removed)
};

class SseParser {
 public:
  // Consumes the next bytes of the stream (any split, even inside a line or
  // a CRLF) and returns the messages they complete, in order.
  std::vector<SseMessage> feed(std::string_view bytes);

  // The last id seen in any block so far (the standard's "last event ID
  // buffer"), or "" when none.
  const std::string& last_id() const { return last_id_; }

  // The reconnection delay the server asked for ("retry:"), if it did.
  std::optional<std::int64_t> retry_ms() const { return retry_; }

  // Bytes held while waiting for the end of a line; a guard against a server
  // that never ends one.
  std::size_t buffered() const { return line_.size(); }

 private:
  void line(std::string_view text, std::vector<SseMessage>& out);
  void dispatch(std::vector<SseMessage>& out);

  std::string line_;
  bool skip_lf_ = false;  // the previous chunk ended in CR: a LF that follows belongs to it
  bool bom_checked_ = false;
  // The block being read.
  std::string data_;
  bool has_data_ = false;
  std::string event_;
  std::optional<std::string> id_;
  std::optional<std::int64_t> retry_;  // not per block: it stays until changed
  std::string last_id_;
};

}  // namespace paygate::cli
