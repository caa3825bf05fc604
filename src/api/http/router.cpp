#include "api/http/router.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <string_view>

namespace lunora::api {
namespace {

bool is_param(const std::string& segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

// "/a/b/" -> {"a", "b", ""}: a trailing slash is a segment of its own, so "/a/" does not match "/a".
std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> segments;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  for (;;) {
    const auto slash = path.find('/');
    segments.emplace_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX -> byte; a malformed escape stays as written ('+' is a plain character in a path).
std::string percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size()) {
      const int hi = hex_value(in[i + 1]);
      const int lo = hex_value(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(in[i]);
  }
  return out;
}

// The request's path split into decoded segments. Split the raw target when there is one, so that an encoded
// slash ("%2F") inside an id stays inside its segment; a request built by hand (tests) may only have `path`.
std::vector<std::string> request_segments(const HttpRequest& request) {
  if (!request.target.empty() && request.target.front() == '/') {
    std::string_view raw = request.target;
    raw = raw.substr(0, raw.find_first_of("?#"));
    auto segments = split_path(raw);
    for (auto& segment : segments) segment = percent_decode(segment);
    return segments;
  }
  return split_path(request.path);
}

bool matches(const std::vector<std::string>& pattern, const std::vector<std::string>& segments) {
  if (pattern.size() != segments.size()) return false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (!is_param(pattern[i]) && pattern[i] != segments[i]) return false;
  }
  return true;
}

// True when `a` is more specific than `b`: at the first position where one has a literal and the other a
// parameter, the literal wins ("/streams/active" before "/streams/{id}").
bool more_specific(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const bool a_param = is_param(a[i]);
    const bool b_param = is_param(b[i]);
    if (a_param != b_param) return !a_param;
  }
  return false;
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler) {
  std::transform(method.begin(), method.end(), method.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  auto segments = split_path(pattern);
  routes_.push_back(Route{std::move(method), std::move(pattern), std::move(segments), std::move(handler)});
}

boost::asio::awaitable<HttpReply> Router::dispatch(HttpRequest& request) const {
  const auto segments = request_segments(request);
  const Route* best = nullptr;
  std::vector<std::string> allowed;  // methods of the routes whose pattern matches, for 405's Allow
  for (const auto& route : routes_) {
    if (!matches(route.segments, segments)) continue;
    if (route.method != request.method) {
      if (std::find(allowed.begin(), allowed.end(), route.method) == allowed.end()) {
        allowed.push_back(route.method);
      }
      continue;
    }
    // Strictly more specific only: among equals the first added wins.
    if (best == nullptr || more_specific(route.segments, best->segments)) best = &route;
  }
  if (best == nullptr) {
    if (allowed.empty()) {
      co_return json_error(404, "not_found", "no route for " + request.method + " " + request.path);
    }
    std::string allow;
    for (const auto& method : allowed) allow += (allow.empty() ? "" : ", ") + method;
    HttpResponse response =
        json_error(405, "method_not_allowed",
                   request.method + " is not allowed on " + request.path + " (allowed: " + allow + ")");
    response.headers.emplace_back("Allow", allow);
    co_return response;
  }
  request.path_params.clear();
  for (size_t i = 0; i < best->segments.size(); ++i) {
    const auto& segment = best->segments[i];
    if (is_param(segment)) request.path_params[segment.substr(1, segment.size() - 2)] = segments[i];
  }
  co_return co_await best->handler(request);
}

std::vector<RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  out.reserve(routes_.size());
  for (const auto& route : routes_) out.push_back(RouteInfo{route.method, route.pattern});
  return out;
}

HttpResponse json_error(int status, const std::string& code, const std::string& message,
                        const std::string& field) {
  nlohmann::json error = {{"code", code}, {"message", message}};
  if (!field.empty()) error["field"] = field;
  const nlohmann::json body = {{"error", std::move(error)}};
  HttpResponse response;
  response.status = status;
  response.content_type = "application/json";
  // `replace`: a message quoting a client's bytes (a decoded path) may not be valid UTF-8; never throw here.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

}  // namespace lunora::api
