#include "app/aws_setup.hpp"

#include <spdlog/spdlog.h>

#include "aws/aws_config.hpp"
#include "aws/credential_chain.hpp"
#include "aws/environment.hpp"

namespace lunora::app {

Result<AwsSetup> aws_setup(std::string_view service_id, std::string_view prefix) {
  const aws::Environment env = aws::Environment::system();
  auto region = aws::resolve_region(env);
  if (!region) return region.error();
  auto credentials = aws::resolve_credentials(env);
  if (!credentials) return credentials.error();
  AwsSetup setup;
  setup.options.endpoint = aws::resolve_endpoint(env, service_id, prefix, *region);
  setup.options.region = *region;
  setup.options.signing_name = std::string(prefix);
  setup.options.credentials = *credentials;
  setup.credentials_description = credentials->redacted_description();
  return setup;
}

std::pair<std::unique_ptr<engine::medialive::MediaLiveEngine>, std::string> make_medialive_engine(
    const ServeSettings& settings) {
  auto setup = aws_setup("MediaLive", "medialive");
  if (!setup) return {nullptr, setup.error().message()};
  engine::medialive::MediaLiveEngine::Options options;
  options.driver.poll_moving = std::chrono::milliseconds(settings.medialive_poll_moving_ms);
  options.driver.poll_steady = std::chrono::milliseconds(settings.medialive_poll_steady_ms);
  options.driver.batch_window = std::chrono::milliseconds(settings.medialive_batch_window_ms);
  options.rates = {settings.medialive_input_usd_per_hour, settings.medialive_output_usd_per_hour};
  auto made = engine::medialive::MediaLiveEngine::create(setup->options, options);
  if (!made) return {nullptr, made.error().message()};
  spdlog::info("event=medialive_ready region={} credentials=\"{}\"", setup->options.region,
               setup->credentials_description);
  return {std::move(*made), ""};
}

}  // namespace lunora::app
