// lunora: wiring only. Subcommands live in their own files.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/lambda_command.hpp"
#include "app/medialive_command.hpp"
#include "app/relay_command.hpp"
#include "app/serve_command.hpp"

int main(int argc, char** argv) try {
  // Logs go to stderr, one line per event; stdout is for machine-readable output (--stats).
  auto logger = spdlog::stderr_color_mt("lunora");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");
  spdlog::set_default_logger(logger);
  if (const char* level = std::getenv("LUNORA_LOG_LEVEL")) spdlog::set_level(spdlog::level::from_str(level));

  CLI::App app{"Lunora: restream one live input to many destinations"};
  app.require_subcommand(1);
  lunora::app::register_lambda_command(app);
  lunora::app::register_medialive_command(app);
  lunora::app::register_relay_command(app);
  lunora::app::register_serve_command(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "error: %s\n", e.what());
  return 1;
}
