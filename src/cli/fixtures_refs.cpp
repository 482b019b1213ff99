#include "cli/fixtures_refs.h"

#include <boost/json.hpp>

#include "app.h"
#include "cli/api.h"

namespace paygate::cli {

namespace {

namespace json = boost::json;

// One "${...}" found in a string: its name and field path.
struct Ref {
  std::string name;
  std::vector<std::string> path;  // empty: the id
};

// The references of text in order, and the literal pieces between them
// ("$${" already turned into "${").
struct Parsed {
  std::vector<std::string> literals;  // literals.size() == refs.size() + 1
  std::vector<Ref> refs;
};

Parsed parse(std::string_view text, std::string_view where) {
  Parsed out;
  std::string literal;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      literal += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      literal.push_back(text[i++]);
      continue;
    }
    const std::size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      throw CliError(std::string(where) + ": '${' with no closing '}'", kExitUsage);
    }
    const std::string_view inner = text.substr(i + 2, close - i - 2);
    Ref ref;
    std::size_t start = 0;
    for (;;) {
      const std::size_t dot = inner.find('.', start);
      const std::string_view part = inner.substr(start, dot - start);
      if (part.empty()) {
        throw CliError(std::string(where) + ": '${" + std::string(inner) +
                           "}' is not ${name} or ${name.field}",
                       kExitUsage);
      }
      if (ref.name.empty()) {
        ref.name = std::string(part);
      } else {
        ref.path.emplace_back(part);
      }
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
    out.literals.push_back(std::move(literal));
    literal.clear();
    out.refs.push_back(std::move(ref));
    i = close + 1;
  }
  out.literals.push_back(std::move(literal));
  return out;
}

void collect(const json::value& v, std::string_view where, std::vector<std::string>& names) {
  if (v.is_string()) {
    for (auto& r : parse(v.as_string(), where).refs) names.push_back(std::move(r.name));
  } else if (v.is_array()) {
    for (const auto& item : v.as_array()) collect(item, where, names);
  } else if (v.is_object()) {
    for (const auto& [k, item] : v.as_object()) collect(item, where, names);
  }
}

json::value lookup(const Ref& ref, const Made& made, std::string_view where) {
  const auto it = made.find(ref.name);
  if (it == made.end()) {
    throw CliError(std::string(where) + ": no earlier object has \"ref\": \"" + ref.name + "\"",
                   kExitUsage);
  }
  const json::value* v = &it->second;
  const std::vector<std::string> id_path{"id"};
  for (const auto& field : ref.path.empty() ? id_path : ref.path) {
    const auto* o = v->if_object();
    v = o != nullptr ? o->if_contains(field) : nullptr;
    if (v == nullptr) {
      std::string path = ref.name;
      for (const auto& f : ref.path) path += "." + f;
      throw CliError(std::string(where) + ": ${" + path + "}: the " + ref.name +
                     " object has no field '" + field + "'");
    }
  }
  return *v;
}

std::string text_of(const json::value& v) {
  return v.is_string() ? std::string(v.as_string()) : json::serialize(v);
}

}  // namespace

std::vector<std::string> references_in(const json::value& v, std::string_view where) {
  std::vector<std::string> names;
  collect(v, where, names);
  return names;
}

json::value resolve_references(const json::value& v, const Made& made, std::string_view where) {
  if (v.is_array()) {
    json::array out;
    for (const auto& item : v.as_array()) out.push_back(resolve_references(item, made, where));
    return out;
  }
  if (v.is_object()) {
    json::object out;
    for (const auto& [k, item] : v.as_object()) {
      out[k] = resolve_references(item, made, where);
    }
    return out;
  }
  if (!v.is_string()) return v;
  const Parsed p = parse(v.as_string(), where);
  if (p.refs.empty()) return json::string(p.literals.front());
  // Exactly one reference and nothing around it: the value, of its own type.
  if (p.refs.size() == 1 && p.literals[0].empty() && p.literals[1].empty()) {
    return lookup(p.refs[0], made, where);
  }
  std::string out = p.literals[0];
  for (std::size_t i = 0; i < p.refs.size(); ++i) {
    out += text_of(lookup(p.refs[i], made, where));
    out += p.literals[i + 1];
  }
  return json::string(out);
}

}  // namespace paygate::cli
