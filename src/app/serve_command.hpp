#pragma once

#include <CLI/CLI.hpp>

namespace lunora::app {

// `lunora serve`: the API, the engine and the control plane in one process, until SIGINT/SIGTERM.
void register_serve_command(CLI::App& app);

}  // namespace lunora::app
