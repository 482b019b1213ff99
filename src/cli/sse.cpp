#include "cli/sse.h"

#include <algorithm>
#include <charconv>

namespace paygate::cli {

std::vector<SseMessage> SseParser::feed(std::string_view bytes) {
  std::vector<SseMessage> out;
  if (!bom_checked_) {
    // A UTF-8 byte order mark may open the stream (and only there); it can
    // arrive split over chunks, so wait until three bytes or a mismatch.
    line_.append(bytes);
    constexpr std::string_view kBom = "\xEF\xBB\xBF";
    const std::size_t n = std::min(line_.size(), kBom.size());
    if (line_.compare(0, n, kBom.substr(0, n)) == 0 && n < kBom.size()) return out;
    bom_checked_ = true;
    std::string pending = std::move(line_);
    line_.clear();
    if (std::string_view(pending).starts_with(kBom)) pending.erase(0, kBom.size());
    return feed(pending);
  }
  std::size_t i = 0;
  if (skip_lf_ && !bytes.empty()) {
    skip_lf_ = false;
    if (bytes[0] == '\n') i = 1;
  }
  while (i < bytes.size()) {
    const std::size_t end = bytes.find_first_of("\r\n", i);
    if (end == std::string_view::npos) {
      line_.append(bytes.substr(i));
      break;
    }
    const std::string_view piece = bytes.substr(i, end - i);
    if (line_.empty()) {
      line(piece, out);
    } else {
      line_.append(piece);
      const std::string whole = std::move(line_);
      line_.clear();
      line(whole, out);
    }
    i = end + 1;
    if (bytes[end] == '\r') {
      if (i < bytes.size()) {
        if (bytes[i] == '\n') ++i;
      } else {
        skip_lf_ = true;
      }
    }
  }
  return out;
}

void SseParser::line(std::string_view text, std::vector<SseMessage>& out) {
  if (text.empty()) {
    dispatch(out);
    return;
  }
  if (text.front() == ':') {
    SseMessage m;
    m.kind = SseMessage::Kind::kComment;
    text.remove_prefix(1);
    if (text.starts_with(' ')) text.remove_prefix(1);
    m.comment = std::string(text);
    out.push_back(std::move(m));
    return;
  }
  std::string_view field = text, value;
  if (const auto colon = text.find(':'); colon != std::string_view::npos) {
    field = text.substr(0, colon);
    value = text.substr(colon + 1);
    if (value.starts_with(' ')) value.remove_prefix(1);
  }
  if (field == "data") {
    data_.append(value).push_back('\n');
    has_data_ = true;
  } else if (field == "event") {
    event_ = std::string(value);
  } else if (field == "id") {
    // The standard ignores an id holding NUL (it could not be sent back).
    if (value.find('\0') == std::string_view::npos) id_ = std::string(value);
  } else if (field == "retry") {
    std::int64_t ms = 0;
    const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
    if (ec == std::errc() && ptr == value.data() + value.size() && !value.empty() &&
        value.front() != '-') {
      retry_ = ms;
    }
  }
  // Any other field is ignored, as the standard says.
}

void SseParser::dispatch(std::vector<SseMessage>& out) {
  if (id_) last_id_ = *id_;
  if (has_data_) {
    SseMessage m;
    m.kind = SseMessage::Kind::kEvent;
    m.id = std::move(id_);
    m.event = event_.empty() ? "message" : std::move(event_);
    m.data = std::move(data_);
    m.data.pop_back();  // the "\n" after the last data line
    out.push_back(std::move(m));
  } else if (id_) {
    SseMessage m;
    m.kind = SseMessage::Kind::kIdOnly;
    m.id = std::move(id_);
    out.push_back(std::move(m));
  }
  data_.clear();
  has_data_ = false;
  event_.clear();
  id_.reset();
}

}  // namespace paygate::cli
