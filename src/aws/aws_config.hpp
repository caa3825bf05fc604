// Region and endpoint resolution, the way the AWS SDKs do it, so that a user's existing AWS setup (and a
// test's local DynamoDB) works unchanged.
#pragma once

#include <string>
#include <string_view>

#include "aws/environment.hpp"
#include "core/result.hpp"

namespace lunora::aws {

// AWS_REGION, then AWS_DEFAULT_REGION, then `region` of the profile in the shared config file.
Result<std::string> resolve_region(const Environment& env);

// "DynamoDB" -> "DYNAMODB", "Elastic Beanstalk" -> "ELASTIC_BEANSTALK": the suffix of
// AWS_ENDPOINT_URL_<SERVICE>.
std::string endpoint_variable_suffix(std::string_view service_id);

// AWS_ENDPOINT_URL_<SERVICE> (it wins), then AWS_ENDPOINT_URL, then https://<prefix>.<region>.amazonaws.com
// (".com.cn" in the China regions). AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true ignores both variables.
// `service_id` is the SDK service id ("DynamoDB", "MediaLive"), `endpoint_prefix` the host's first label
// ("dynamodb", "medialive").
std::string resolve_endpoint(const Environment& env, std::string_view service_id,
                             std::string_view endpoint_prefix, std::string_view region);

}  // namespace lunora::aws
