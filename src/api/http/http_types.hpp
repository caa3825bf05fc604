// Plain HTTP request/response values the routes work with: Beast stays inside http_server.cpp (TOOLING.md:
// one Beast translation unit costs ~15 s to compile).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "api/http/sse_channel.hpp"

namespace lunora::api {

struct HttpRequest {
  std::string method;                        // "GET", "POST", ... (upper case)
  std::string target;                        // as sent: "/api/v1/destinations?channel_id=x"
  std::string path;                          // percent-decoded path without the query: "/api/v1/destinations"
  std::map<std::string, std::string> query;  // percent-decoded; last value wins
  std::map<std::string, std::string> headers;      // names lower-cased
  std::map<std::string, std::string> path_params;  // filled by the Router: {"id": "..."}
  std::string body;
  std::string peer;  // "127.0.0.1:54321"

  // Header value or "" (name in any case).
  std::string header(const std::string& name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

// What a handler answers: a whole response, or an event stream the server writes until either side ends it.
using HttpReply = std::variant<HttpResponse, std::shared_ptr<SseChannel>>;

}  // namespace lunora::api
