#include "cli/output.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "core/json_writer.h"

namespace paygate::cli {

bool parse_format(std::string_view text, Format& out) {
  if (text == "text") {
    out = Format::kText;
    return true;
  }
  if (text == "json") {
    out = Format::kJson;
    return true;
  }
  return false;
}

std::string display(const Value& v) {
  if (std::holds_alternative<Null>(v)) return "-";
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* n = std::get_if<std::int64_t>(&v)) return std::to_string(*n);
  return std::get<bool>(v) ? "true" : "false";
}

Style status_style(std::int64_t status) {
  if (status >= 200 && status < 300) return Style::kGreen;
  if (status >= 300 && status < 400) return Style::kCyan;
  if (status >= 400 && status < 500) return Style::kYellow;
  return Style::kRed;
}

namespace {

std::string_view ansi(Style s) {
  switch (s) {
    case Style::kPlain:
      return "";
    case Style::kDim:
      return "\x1b[2m";
    case Style::kBold:
      return "\x1b[1m";
    case Style::kGreen:
      return "\x1b[32m";
    case Style::kYellow:
      return "\x1b[33m";
    case Style::kRed:
      return "\x1b[31m";
    case Style::kCyan:
      return "\x1b[36m";
  }
  return "";
}

void write_json(JsonWriter& w, const Value& v) {
  if (std::holds_alternative<Null>(v)) {
    w.null();
  } else if (const auto* s = std::get_if<std::string>(&v)) {
    w.value(std::string_view(*s));
  } else if (const auto* n = std::get_if<std::int64_t>(&v)) {
    w.value(*n);
  } else {
    w.value(std::get<bool>(v));
  }
}

}  // namespace

std::string render_row(const std::vector<Cell>& cells, Format format, bool color) {
  if (format == Format::kJson) {
    JsonWriter w(128);
    w.begin_object();
    for (const auto& c : cells) {
      w.key(c.key);
      write_json(w, c.value);
    }
    w.end_object();
    return w.take();
  }
  std::string out;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const Cell& c = cells[i];
    const std::string text = display(c.value);
    if (i > 0) out += "  ";
    const std::string_view on = color ? ansi(c.style) : std::string_view{};
    out += on;
    out += text;
    if (!on.empty()) out += "\x1b[0m";
    // Padding outside the colour, and never after the last cell (no trailing
    // spaces in a pipe or a test's expected line).
    if (i + 1 < cells.size() && text.size() < c.width) out.append(c.width - text.size(), ' ');
  }
  return out;
}

void align_columns(std::vector<std::vector<Cell>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (std::size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max({widths[i], row[i].width, display(row[i].value).size()});
    }
  }
  for (auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) row[i].width = widths[i];
  }
}

namespace {

bool wants_color(std::FILE* out) {
  if (::isatty(::fileno(out)) == 0) return false;
  if (const char* v = std::getenv("NO_COLOR"); v != nullptr && *v != '\0') return false;
  const char* term = std::getenv("TERM");
  return term == nullptr || std::string_view(term) != "dumb";
}

}  // namespace

Printer::Printer(Format format, std::FILE* out)
    : format_(format), out_(out), color_(format == Format::kText && wants_color(out)) {}

void Printer::row(const std::vector<Cell>& cells) {
  line(render_row(cells, format_, color_));
}

void Printer::line(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), out_);
  std::fputc('\n', out_);
  std::fflush(out_);
}

void note(std::string_view message) {
  std::string line = "paygate: ";
  line.append(message).push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace paygate::cli
