// `lunora medialive check`: the smoke test for a user with an AWS account: can Lunora, with the AWS setup of
// this shell, reach MediaLive and read its channels (and one channel in detail)?
#pragma once

#include <CLI/CLI.hpp>

namespace lunora::app {

void register_medialive_command(CLI::App& app);

}  // namespace lunora::app
