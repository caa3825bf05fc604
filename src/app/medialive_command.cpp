#include "app/medialive_command.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "app/aws_setup.hpp"
#include "app/medialive_plan.hpp"
#include "aws/medialive/medialive_client.hpp"
#include "engine/medialive/channel_plan.hpp"

namespace lunora::app {
namespace {

struct CheckArgs {
  std::string channel_id;  // "" = only list
};

std::string refusal(const char* operation, const aws::AwsError& error, const std::string& credentials) {
  return std::string(operation) + ": " + error.to_error().message() + " (credentials: " + credentials + ")";
}

void print_channel(const nlohmann::json& channel) {
  std::cout << "  " << channel.value("id", "?") << "  " << channel.value("name", "") << "  "
            << channel.value("state", "?") << "  " << channel.value("channelClass", "")
            << "  role: " << (channel.value("roleArn", "").empty() ? "none" : "set") << "\n";
}

// Stream names are stream keys: never printed.
void print_pushes(const nlohmann::json& channel) {
  const auto pushes = engine::medialive::pushes_of(channel);
  std::cout << "  RTMP outputs: " << pushes.size() << "\n";
  for (const auto& push : pushes) {
    std::cout << "    " << push.id << " -> " << (push.url.empty() ? "(no destination)" : push.url)
              << (push.stream_name.empty() ? "" : " (stream key set)") << "\n";
  }
}

boost::asio::awaitable<void> check(const aws::MediaLiveClient* client, CheckArgs args,
                                   std::string credentials, std::optional<std::string>* failure) {
  aws::AwsOutcome listed = co_await client->list_channels(std::nullopt);
  if (!listed.ok()) {
    *failure = refusal("ListChannels", listed.error(), credentials);
    co_return;
  }
  const nlohmann::json channels = listed->body.value("channels", nlohmann::json::array());
  std::cout << "ListChannels: ok, " << channels.size() << (listed->body.contains("nextToken") ? "+" : "")
            << " channel(s)\n";
  for (const auto& channel : channels) print_channel(channel);
  if (args.channel_id.empty()) co_return;
  aws::AwsOutcome described = co_await client->describe_channel(args.channel_id);
  if (!described.ok()) {
    *failure = refusal("DescribeChannel", described.error(), credentials);
    co_return;
  }
  std::cout << "DescribeChannel " << args.channel_id << ": ok, "
            << described->body.value("pipelinesRunningCount", 0) << " pipeline(s) running\n";
  print_channel(described->body);
  print_pushes(described->body);
}

int run_check(const CheckArgs& args) {
  auto setup = aws_setup("MediaLive", "medialive");
  if (!setup) {
    std::cerr << "error: " << setup.error().message() << "\n";
    return 1;
  }
  auto client = aws::AwsClient::create(setup->options);
  if (!client) {
    std::cerr << "error: " << client.error().message() << "\n";
    return 1;
  }
  std::cout << "MediaLive at " << setup->options.endpoint << " (region " << setup->options.region
            << ", credentials: " << setup->credentials_description << ")\n";
  const aws::MediaLiveClient medialive(**client);
  boost::asio::io_context io;
  std::optional<std::string> failure;
  boost::asio::co_spawn(io, check(&medialive, args, setup->credentials_description, &failure),
                        boost::asio::detached);
  io.run();
  if (failure) {
    std::cerr << "error: " << *failure << "\n";
    return 1;
  }
  std::cout << "check passed: these credentials can read MediaLive in " << setup->options.region << "\n";
  return 0;
}

}  // namespace

void register_medialive_command(CLI::App& app) {
  auto* medialive = app.add_subcommand(
      "medialive", "AWS Elemental MediaLive: check the AWS setup, show a channel's next update");
  medialive->require_subcommand(1);
  auto args = std::make_shared<CheckArgs>();
  auto* check_cmd = medialive->add_subcommand(
      "check",
      "Lists MediaLive channels with this shell's AWS setup (and describes --channel): a smoke test");
  check_cmd->add_option("--channel", args->channel_id, "A MediaLive channel id to describe as well");
  check_cmd->callback([args] { std::exit(run_check(*args)); });

  auto plan_args = std::make_shared<PlanArgs>();
  auto* plan_cmd = medialive->add_subcommand(
      "plan",
      "Prints the UpdateChannel body the next change of a channel on MediaLive would send (not sent)");
  plan_cmd->add_option("channel", plan_args->channel, "The Lunora channel (id or name)")->required();
  plan_cmd->add_option("--start", plan_args->start, "Show this destination (id or name) as on (repeatable)");
  plan_cmd->add_option("--stop", plan_args->stop, "Show this destination (id or name) as off (repeatable)");
  plan_cmd->add_option_function<std::string>(
      "--data-dir", [plan_args](const std::string& v) { plan_args->flags["data_dir"] = v; },
      "The data dir of `lunora serve` (./data)");
  plan_cmd->add_option_function<std::string>(
      "--store", [plan_args](const std::string& v) { plan_args->flags["store"] = v; },
      "The store of `lunora serve`: sqlite or dynamodb:TABLE (sqlite)");
  plan_cmd->add_option_function<std::string>(
      "--public-rtmp-url", [plan_args](const std::string& v) { plan_args->flags["public_rtmp_url"] = v; },
      "As `lunora serve --public-rtmp-url` (hybrid channels' relay)");
  plan_cmd->add_option("--config", plan_args->config, "The TOML config file of `lunora serve`");
  plan_cmd->callback([plan_args] { std::exit(run_medialive_plan(*plan_args)); });
}

}  // namespace lunora::app
