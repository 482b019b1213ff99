// How the CLI prints rows: aligned text for a person (coloured when stdout is
// a terminal), or with --format json one JSON object per line for a program.
// Rendering is pure (render_row); Printer only decides colour and writes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace paygate::cli {

enum class Format { kText, kJson };

// "text" or "json"; false for anything else.
bool parse_format(std::string_view text, Format& out);

enum class Style { kPlain, kDim, kBold, kGreen, kYellow, kRed, kCyan };

// A value as JSON sees it; text shows null as "-".
struct Null {};
using Value = std::variant<Null, std::string, std::int64_t, bool>;

struct Cell {
  std::string key;  // the JSON member name
  Value value;
  Style style = Style::kPlain;
  // Text: the column's width (padded with spaces; a longer value is not cut,
  // so nothing is lost, it only pushes the rest right). 0: as wide as the value.
  std::size_t width = 0;
};

// One line, without its "\n". Text: the cells' values separated by two
// spaces, each padded to its width (the last one never padded), wrapped in
// ANSI colours when color is true. JSON: {"key": value, ...} in cell order.
std::string render_row(const std::vector<Cell>& cells, Format format, bool color);

// The text of a value as a person reads it.
std::string display(const Value& v);

// The style of an HTTP status: 2xx green, 3xx cyan, 4xx yellow, else (5xx,
// no answer) red.
Style status_style(std::int64_t status);

// For a table printed at once: widens each cell to the widest value of its
// column, over all rows (cells at the same index are one column).
void align_columns(std::vector<std::vector<Cell>>& rows);

class Printer {
 public:
  // Colour when out is a terminal, NO_COLOR is unset and TERM is not "dumb"
  // (https://no-color.org).
  Printer(Format format, std::FILE* out = stdout);

  Format format() const { return format_; }
  bool color() const { return color_; }
  // Writes render_row and a newline, and flushes: a follower's lines must
  // reach a pipe as they happen.
  void row(const std::vector<Cell>& cells);
  // A line as it is (JSON mode: an object from the server, passed on whole).
  void line(std::string_view text);

 private:
  Format format_;
  std::FILE* out_;
  bool color_;
};

// Diagnostics go to stderr, never into the rows a program parses: "paygate: "
// and the message.
void note(std::string_view message);

}  // namespace paygate::cli
