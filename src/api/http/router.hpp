// Method + path pattern -> handler. Patterns are literal segments and `{name}` segments
// ("/api/v1/destinations/{id}/start"); a path that matches no pattern is 404, a known path with another
// method is 405 with an Allow header.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>
#include <vector>

#include "api/http/http_types.hpp"

namespace lunora::api {

using Handler = std::function<boost::asio::awaitable<HttpReply>(HttpRequest&)>;

struct RouteInfo {
  std::string method;
  std::string pattern;
};

class Router {
 public:
  void add(std::string method, std::string pattern, Handler handler);

  // Finds the handler and fills request.path_params; the reply for no match (404/405, JSON error body).
  boost::asio::awaitable<HttpReply> dispatch(HttpRequest& request) const;

  std::vector<RouteInfo> routes() const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
};

// {"error": {"code": ..., "message": ..., "field"?: ...}} with the given status.
HttpResponse json_error(int status, const std::string& code, const std::string& message,
                        const std::string& field = "");

}  // namespace lunora::api
