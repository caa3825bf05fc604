// Where an AWS client sends its requests: the endpoint URL resolved by aws_config.hpp
// ("https://dynamodb.eu-west-1.amazonaws.com", or "http://127.0.0.1:8000" for a local dynalite), taken apart.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace lunora::aws {

struct Endpoint {
  bool tls = true;
  std::string host;  // for DNS and certificate verification; an IPv6 literal without its brackets
  uint16_t port = 443;
  std::string authority;  // the Host header, and what SigV4 signs: host, plus ":port" when not the default
  std::string base_path;  // "" or "/prefix" (no trailing slash): put before every request's path

  // "https://dynamodb.eu-west-1.amazonaws.com": for messages.
  std::string url() const { return (tls ? "https://" : "http://") + authority + base_path; }
};

// http:// and https:// only; no user info, query or fragment.
Result<Endpoint> parse_endpoint(std::string_view url);

}  // namespace lunora::aws
