// Maps a method and a path such as /api/v1/orders/order_X to the handler
// registered for "/api/v1/orders/{id}", and knows which methods a path allows
// (for 405 answers).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>
#include <vector>

#include "http/request.h"

namespace paygate::http {

using Handler = std::function<boost::asio::awaitable<Result<Reply>>(const Request&)>;

class Router {
 public:
  // pattern: literal segments and {name} segments, e.g. "/api/v1/orders/{id}".
  void add(Method method, std::string_view pattern, Handler handler);

  struct Match {
    const Handler* handler = nullptr;
    std::string_view pattern;
    std::size_t route = 0;  // index into routes(), when handler is set
    std::array<std::string_view, 4> params{};
    bool path_known = false;  // some route has this path, with another method
    std::string allow;        // those methods, for the Allow header
  };
  Match match(Method method, std::string_view path) const;

  // Errors of every request whose path starts with prefix (those of its
  // routes, and its 404s and 405s) are rendered by render: an API dialect's
  // own error object.
  void set_error_renderer(std::string_view prefix, ErrorRenderer render);
  // The renderer for path's errors, or nullptr for the contract's.
  ErrorRenderer error_renderer(std::string_view path) const;

  // Replaces every registered handler h by wrap(method, pattern, h): policy
  // that applies to whole groups of routes (rate limits) in one place.
  void wrap(const std::function<Handler(Method, std::string_view, Handler)>& wrap);

  // Every registered (method, pattern), for tests and documentation checks.
  std::vector<std::pair<Method, std::string>> routes() const;
  std::size_t size() const { return routes_.size(); }

 private:
  struct Route {
    Method method;
    std::string pattern;
    std::vector<std::string> segments;  // "{...}" marks a parameter
    int literal_segments = 0;
    Handler handler;
  };
  std::vector<Route> routes_;
  std::vector<std::pair<std::string, ErrorRenderer>> error_renderers_;
};

}  // namespace paygate::http
