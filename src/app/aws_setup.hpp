// The AWS client options of one service, found the way the AWS SDKs and CLI find them (region, credentials,
// endpoint): shared by the DynamoDB store and the MediaLive commands.
#pragma once

#include <string>
#include <string_view>

#include "app/serve_settings.hpp"
#include "aws/aws_client.hpp"
#include "core/result.hpp"
#include "engine/medialive/medialive_engine.hpp"

namespace lunora::app {

struct AwsSetup {
  aws::AwsClientOptions options;
  std::string
      credentials_description;  // where they came from, redacted ("access key …WXYZ from environment")
};

// `service_id` is the SDK service id ("DynamoDB", "MediaLive"; AWS_ENDPOINT_URL_<SERVICE>), `prefix` the
// endpoint's first label and the signing name ("dynamodb", "medialive").
Result<AwsSetup> aws_setup(std::string_view service_id, std::string_view prefix);

// The MediaLive engine, or why there is none (no region or credentials: only channels on MediaLive need
// them, so Lunora starts anyway and such a channel is refused with this reason).
std::pair<std::unique_ptr<engine::medialive::MediaLiveEngine>, std::string> make_medialive_engine(
    const ServeSettings& settings);

}  // namespace lunora::app
