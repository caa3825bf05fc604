#include "aws/endpoint.hpp"

#include <charconv>

namespace lunora::aws {

namespace {

Error invalid(std::string_view url, std::string_view why) {
  return Error(ErrorCode::kInvalidArgument,
               "invalid AWS endpoint URL \"" + std::string(url) + "\": " + std::string(why));
}

}  // namespace

Result<Endpoint> parse_endpoint(std::string_view url) {
  Endpoint endpoint;
  std::string_view rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    endpoint.tls = false;
    endpoint.port = 80;
    rest = url.substr(7);
  } else {
    return invalid(url, "the scheme must be http or https");
  }
  if (rest.find_first_of("?#@") != std::string_view::npos) {
    return invalid(url, "no user info, query or fragment allowed");
  }
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  endpoint.base_path = std::string(path);

  std::string_view port_text;
  if (authority.starts_with('[')) {  // [::1]:8000
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return invalid(url, "unterminated IPv6 address");
    endpoint.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) return invalid(url, "junk after the IPv6 address");
    if (!after.empty()) port_text = after.substr(1);
  } else {
    const size_t colon = authority.find(':');
    endpoint.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (endpoint.host.empty()) return invalid(url, "no host");
  const uint16_t default_port = endpoint.port;
  if (!port_text.empty()) {
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
      return invalid(url, "bad port");
    }
    endpoint.port = static_cast<uint16_t>(port);
  }
  // The Host header carries the port only when it is not the scheme's default, as the SDKs sign it.
  endpoint.authority = std::string(authority.substr(
      0, authority.find(']') == std::string_view::npos ? authority.find(':') : authority.find(']') + 1));
  if (endpoint.port != default_port) endpoint.authority += ":" + std::to_string(endpoint.port);
  return endpoint;
}

}  // namespace lunora::aws
