#include "api/http/http_types.hpp"

#include <algorithm>
#include <cctype>

namespace lunora::api {

std::string HttpRequest::header(const std::string& name) const {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  auto it = headers.find(lower);
  return it == headers.end() ? std::string() : it->second;
}

}  // namespace lunora::api
