#include "http/router.h"

namespace paygate::http {

namespace {

// Calls f(segment) for each '/'-separated segment of path; a trailing slash
// adds no empty segment.
template <class F>
void for_each_segment(std::string_view path, F&& f) {
  if (path.starts_with('/')) path.remove_prefix(1);
  while (!path.empty()) {
    const auto slash = path.find('/');
    f(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
}

}  // namespace

void Router::add(Method method, std::string_view pattern, Handler handler) {
  Route r{method, std::string(pattern), {}, 0, std::move(handler)};
  for_each_segment(pattern, [&](std::string_view s) {
    r.segments.emplace_back(s);
    if (!s.starts_with('{')) ++r.literal_segments;
  });
  routes_.push_back(std::move(r));
}

void Router::set_error_renderer(std::string_view prefix, ErrorRenderer render) {
  error_renderers_.emplace_back(std::string(prefix), render);
}

ErrorRenderer Router::error_renderer(std::string_view path) const {
  for (const auto& [prefix, render] : error_renderers_) {
    if (path.starts_with(prefix)) return render;
  }
  return nullptr;
}

void Router::wrap(const std::function<Handler(Method, std::string_view, Handler)>& wrap) {
  for (auto& r : routes_) r.handler = wrap(r.method, r.pattern, std::move(r.handler));
}

Router::Match Router::match(Method method, std::string_view path) const {
  std::array<std::string_view, 16> segments{};
  std::size_t count = 0;
  bool too_long = false;
  for_each_segment(path, [&](std::string_view s) {
    if (count < segments.size()) {
      segments[count++] = s;
    } else {
      too_long = true;
    }
  });
  Match best;
  if (too_long) return best;
  int best_literals = -1;
  for (std::size_t index = 0; index < routes_.size(); ++index) {
    const Route& route = routes_[index];
    if (route.segments.size() != count) continue;
    std::array<std::string_view, 4> params{};
    std::size_t n = 0;
    bool ok = true;
    for (std::size_t i = 0; i < count && ok; ++i) {
      const auto& seg = route.segments[i];
      if (seg.starts_with('{')) {
        if (segments[i].empty() || n == params.size())
          ok = false;
        else
          params[n++] = segments[i];
      } else {
        ok = seg == segments[i];
      }
    }
    if (!ok) continue;
    if (route.method != method) {
      best.path_known = true;
      if (best.allow.find(to_string(route.method)) == std::string::npos) {
        if (!best.allow.empty()) best.allow += ", ";
        best.allow += to_string(route.method);
      }
      continue;
    }
    if (route.literal_segments > best_literals) {
      best_literals = route.literal_segments;
      best.handler = &route.handler;
      best.pattern = route.pattern;
      best.route = index;
      best.params = params;
    }
  }
  return best;
}

std::vector<std::pair<Method, std::string>> Router::routes() const {
  std::vector<std::pair<Method, std::string>> out;
  for (const auto& r : routes_) out.emplace_back(r.method, r.pattern);
  return out;
}

}  // namespace paygate::http
