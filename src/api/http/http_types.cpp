#include "api/http/http_types.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <cctype>

namespace lunora::api {

std::string HttpRequest::header(const std::string& name) const {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  auto it = headers.find(lower);
  return it == headers.end() ? std::string() : it->second;
}

bool HttpRequest::set_target(std::string_view request_method, std::string_view request_target) {
  method = std::string(request_method);
  std::transform(method.begin(), method.end(), method.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  target = std::string(request_target);
  const auto url = boost::urls::parse_origin_form(target);
  if (!url) return false;
  path = url->path();
  query.clear();
  // space_as_plus: '+' is a space in a query value (HTML forms); repeated keys: the last one wins.
  for (const auto& param : url->params(boost::urls::encoding_opts(true, false, false))) {
    query[param.key] = param.has_value ? param.value : std::string();
  }
  return true;
}

void HttpRequest::add_header(std::string_view name, std::string_view value) {
  std::string key(name);
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
  auto [it, inserted] = headers.emplace(std::move(key), std::string(value));
  if (!inserted) it->second += ", " + std::string(value);
}

}  // namespace lunora::api

namespace lunora::api {
namespace {

std::string lower(std::string_view in) {
  std::string out(in);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool safe_extra_header(const std::string& name, const std::string& value) {
  const auto unsafe = [](const std::string& s) {
    return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos;
  };
  if (name.empty() || unsafe(name) || unsafe(value)) return false;
  const std::string key = lower(name);
  return key != "content-length" && key != "transfer-encoding" && key != "connection";
}

}  // namespace

int wire_status(const HttpResponse& response) {
  return response.status >= 200 && response.status <= 599 ? response.status : 500;
}

std::vector<std::pair<std::string, std::string>> wire_headers(const HttpResponse& response,
                                                              std::vector<std::string>* dropped) {
  const int status = wire_status(response);
  std::vector<std::pair<std::string, std::string>> headers;
  if (!response.content_type.empty() && status != 204 && status != 304) {
    headers.emplace_back("Content-Type", response.content_type);
  }
  bool has_cache_control = false;
  for (const auto& [name, value] : response.headers) {
    if (!safe_extra_header(name, value)) {
      if (dropped != nullptr) dropped->push_back(lower(name).substr(0, 64));
      continue;
    }
    has_cache_control = has_cache_control || lower(name) == "cache-control";
    headers.emplace_back(name, value);
  }
  // API answers describe live state: a cache (browser or proxy) must not serve them again.
  if (!has_cache_control && response.content_type.starts_with("application/json")) {
    headers.emplace_back("Cache-Control", "no-store");
  }
  return headers;
}

}  // namespace lunora::api
