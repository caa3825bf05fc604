// `lunora relay`: restream one live input to every output until SIGINT/SIGTERM.
#pragma once

#include <CLI/CLI.hpp>

namespace lunora::app {

void register_relay_command(CLI::App& app);

}  // namespace lunora::app
