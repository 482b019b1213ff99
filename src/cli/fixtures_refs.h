// References between the objects of a fixtures file (paygate fixtures load):
// a string "${name}" is the id of the earlier object whose "ref" is name, and
// "${name.field}" (a dotted path: "${pay_a.order_id}") that field of the
// server's answer for it. A string that is one reference becomes the value
// itself (a number stays a number); a reference inside a longer string is
// replaced by its text. "$${" is a literal "${".
#pragma once

#include <boost/json/value.hpp>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace paygate::cli {

// The names a value refers to, in order of appearance (for checking a file
// before anything is made). Throws CliError (exit 2) naming `where` for a
// malformed reference ("${", no closing brace, an empty name).
std::vector<std::string> references_in(const boost::json::value& v, std::string_view where);

// The objects made so far: ref -> the server's answer.
using Made = std::map<std::string, boost::json::value, std::less<>>;

// v with every reference replaced. Throws CliError naming `where` for a name
// not made yet or a field its answer does not have.
boost::json::value resolve_references(const boost::json::value& v, const Made& made,
                                      std::string_view where);

}  // namespace paygate::cli
