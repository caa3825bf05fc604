// Plain HTTP request/response values the routes work with: Beast stays inside http_server.cpp (TOOLING.md:
// one Beast translation unit costs ~15 s to compile).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
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
  // Sets method (upper-cased), target, path and query from a request line's method and target; false when
  // the target is not an origin-form path ("/a/b?c=d"). Every front door builds its requests with it, so the
  // routes see the same request whichever door it came through.
  bool set_target(std::string_view request_method, std::string_view request_target);
  // Adds a header (name lower-cased); a repeated one becomes one comma-separated list (RFC 9110).
  void add_header(std::string_view name, std::string_view value);
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

// The status a response goes out with: a handler's 1xx would confuse the client's framing, and anything
// outside 200-599 is no status at all: 500 then.
int wire_status(const HttpResponse& response);
// The headers a response goes out with, whichever front door sends it: its content type (none on 204 and
// 304, which carry no body), the handler's extra headers that are safe to send (the door frames the message
// itself, and a line break would smuggle in a header of its own), and `Cache-Control: no-store` on JSON
// unless the handler chose its caching. The names of the headers dropped go to `dropped`.
std::vector<std::pair<std::string, std::string>> wire_headers(const HttpResponse& response,
                                                              std::vector<std::string>* dropped = nullptr);

// What a handler answers: a whole response, or an event stream the server writes until either side ends it.
using HttpReply = std::variant<HttpResponse, std::shared_ptr<SseChannel>>;

}  // namespace lunora::api
