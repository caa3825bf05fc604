#include "aws/aws_config.hpp"

#include <algorithm>

#include "aws/shared_config.hpp"

namespace lunora::aws {

namespace {

std::string to_lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
  return text;
}

std::string without_trailing_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

Result<std::string> resolve_region(const Environment& env) {
  if (std::optional<std::string> region = env.non_empty("AWS_REGION")) return *region;
  if (std::optional<std::string> region = env.non_empty("AWS_DEFAULT_REGION")) return *region;

  Result<SharedConfig> shared = SharedConfig::load(env);
  if (!shared) return shared.error().wrap("AWS region");
  const std::optional<std::string> region = property(shared->config_section(), "region");
  if (region && !region->empty()) return *region;
  return Error(ErrorCode::kInvalidArgument, "no AWS region: set AWS_REGION, or region in profile " +
                                                shared->profile() + " of " + shared->config_path());
}

std::string endpoint_variable_suffix(std::string_view service_id) {
  std::string out;
  for (const char c : service_id) {
    out.push_back(c == ' ' ? '_' : static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c));
  }
  return out;
}

std::string resolve_endpoint(const Environment& env, std::string_view service_id,
                             std::string_view endpoint_prefix, std::string_view region) {
  const bool ignore = to_lower(env.non_empty("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").value_or("")) == "true";
  if (!ignore) {
    if (auto url = env.non_empty("AWS_ENDPOINT_URL_" + endpoint_variable_suffix(service_id))) {
      return without_trailing_slash(*url);
    }
    if (auto url = env.non_empty("AWS_ENDPOINT_URL")) return without_trailing_slash(*url);
  }
  const std::string_view domain = region.rfind("cn-", 0) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
  return "https://" + std::string(endpoint_prefix) + "." + std::string(region) + "." + std::string(domain);
}

}  // namespace lunora::aws
