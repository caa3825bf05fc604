// The AWS client options of one service, found the way the AWS SDKs and CLI find them (region, credentials,
// endpoint): shared by the DynamoDB store and the MediaLive commands.
#pragma once

#include <string>
#include <string_view>

#include "aws/aws_client.hpp"
#include "core/result.hpp"

namespace lunora::app {

struct AwsSetup {
  aws::AwsClientOptions options;
  std::string
      credentials_description;  // where they came from, redacted ("access key …WXYZ from environment")
};

// `service_id` is the SDK service id ("DynamoDB", "MediaLive"; AWS_ENDPOINT_URL_<SERVICE>), `prefix` the
// endpoint's first label and the signing name ("dynamodb", "medialive").
Result<AwsSetup> aws_setup(std::string_view service_id, std::string_view prefix);

}  // namespace lunora::app
