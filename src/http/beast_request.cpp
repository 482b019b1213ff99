#include "http/beast_request.h"

namespace paygate::http {

namespace bhttp = boost::beast::http;

Method method_of(bhttp::verb verb) {
  switch (verb) {
    case bhttp::verb::get:
      return Method::get;
    case bhttp::verb::head:
      return Method::head;
    case bhttp::verb::post:
      return Method::post;
    case bhttp::verb::put:
      return Method::put;
    case bhttp::verb::patch:
      return Method::patch;
    case bhttp::verb::delete_:
      return Method::del;
    case bhttp::verb::options:
      return Method::options;
    default:
      return Method::other;
  }
}

Request request_view(const bhttp::request<bhttp::string_body>& req) {
  Request request;
  request.method = method_of(req.method());
  const std::string_view target = req.target();
  const auto question = target.find('?');
  request.path = target.substr(0, question);
  if (question != std::string_view::npos) request.query = target.substr(question + 1);
  request.body = req.body();
  request.headers.reserve(16);
  for (const auto& field : req) request.headers.push_back({field.name_string(), field.value()});
  return request;
}

}  // namespace paygate::http
