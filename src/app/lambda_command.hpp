// `lunora lambda`: Lunora as an AWS Lambda custom runtime (the `bootstrap` of a provided.al2023 function). It
// serves API Gateway HTTP API requests through the same routes as `lunora serve`, and EventBridge's MediaLive
// state changes and scheduled events by reconciling; its state is in DynamoDB, its channels on MediaLive.
#pragma once

#include <CLI/CLI.hpp>

namespace lunora::app {

void register_lambda_command(CLI::App& app);

}  // namespace lunora::app
