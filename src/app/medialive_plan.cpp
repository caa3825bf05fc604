#include "app/medialive_plan.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <iostream>
#include <optional>

#include "app/aws_setup.hpp"
#include "app/store_opener.hpp"
#include "aws/medialive/medialive_client.hpp"
#include "control/medialive_settings.hpp"
#include "control/platforms.hpp"
#include "control/secret_box.hpp"
#include "core/redact.hpp"
#include "engine/engine_router.hpp"
#include "engine/medialive/channel_plan.hpp"

namespace lunora::app {
namespace {

using engine::medialive::RtmpPush;

bool names(const store::DestinationRecord& record, const std::vector<std::string>& list) {
  return std::find(list.begin(), list.end(), record.id) != list.end() ||
         std::find(list.begin(), list.end(), record.name) != list.end();
}

// Where MediaLive pushes a hybrid channel's relay, as `lunora serve` with these settings says.
std::string relay_url(const ServeSettings& settings) {
  if (!settings.public_rtmp_url.empty()) return settings.public_rtmp_url;
  auto rtmp = split_host_port(settings.rtmp, "rtmp");
  std::string host = settings.public_host;
  if (host.empty()) host = !rtmp || rtmp->first == "0.0.0.0" ? "127.0.0.1" : rtmp->first;
  return "rtmp://" + host + ":" + std::to_string(rtmp ? rtmp->second : 1935) + "/live";
}

struct Wanted {
  engine::MediaLiveSpec spec;
  std::vector<RtmpPush> pushes;
  std::vector<std::string> notes;  // destinations left out, and why
};

Result<Wanted> wanted_pushes(store::Store& store, const control::SecretBox& secrets, const PlanArgs& args,
                             const ServeSettings& settings) {
  auto channels = store.list_channels();
  if (!channels) return channels.error().wrap("reading the channels");
  auto channel = std::find_if(channels->begin(), channels->end(), [&args](const store::ChannelRecord& c) {
    return c.id == args.channel || c.name == args.channel;
  });
  if (channel == channels->end()) return Error(ErrorCode::kNotFound, "no channel " + args.channel);
  const auto extra = nlohmann::json::parse(channel->extra_json, nullptr, false);
  if (channel->engine != "medialive" || !extra.is_object() || !extra.contains("medialive") ||
      !extra["medialive"].is_object()) {
    return Error(ErrorCode::kInvalidArgument, "channel \"" + channel->name + "\" runs on the " +
                                                  channel->engine + " engine, not on MediaLive");
  }
  Wanted wanted;
  wanted.spec = control::medialive_settings_from(extra["medialive"]);
  if (wanted.spec.channel_id.empty()) {
    return Error(
        ErrorCode::kInvalidArgument,
        "channel \"" + channel->name + "\" has no MediaLive channel yet (Lunora makes it when it runs)");
  }
  if (wanted.spec.mode == "hybrid") {
    auto key = secrets.open(channel->rtmp_key_sealed);
    if (!key) return key.error();
    wanted.pushes.push_back({engine::medialive::kRelayId, relay_url(settings), *key});
    wanted.notes.push_back("hybrid mode: the relay is the only RTMP output; destinations never change it");
    return wanted;
  }
  auto destinations = store.list_destinations();
  if (!destinations) return destinations.error().wrap("reading the destinations");
  for (const auto& record : *destinations) {
    if (record.channel_id != channel->id) continue;
    const bool on = names(record, args.start) || (record.desired_on && !names(record, args.stop));
    if (!on) continue;
    auto url = secrets.open(record.url_sealed);
    auto key = secrets.open(record.stream_key_sealed);
    if (!url || !key) return (url ? key.error() : url.error()).wrap("destination " + record.id);
    const control::Platform* platform = control::find_platform(record.platform);
    auto full = platform != nullptr
                    ? control::publish_url(*platform, *url, *key)
                    : Result<std::string>(Error(ErrorCode::kInvalidArgument, "unknown platform"));
    auto push = full ? engine::rtmp_push_of(record.id, *full) : Result<RtmpPush>(full.error());
    if (!push) {
      wanted.notes.push_back(record.id + " (" + record.name + ") left out: " + push.error().message());
      continue;
    }
    wanted.pushes.push_back(*push);
  }
  std::sort(wanted.pushes.begin(), wanted.pushes.end(),
            [](const RtmpPush& a, const RtmpPush& b) { return a.id < b.id; });
  return wanted;
}

// Stream names are stream keys: shown as hints.
nlohmann::json redacted(nlohmann::json body) {
  for (auto& destination : body["destinations"]) {
    for (auto& setting : destination["settings"]) {
      if (setting.contains("streamName") && setting["streamName"].is_string()) {
        setting["streamName"] = stream_key_hint(setting["streamName"].get<std::string>());
      }
    }
  }
  return body;
}

boost::asio::awaitable<void> describe(const aws::MediaLiveClient* client, std::string id,
                                      std::optional<aws::AwsOutcome>* out) {
  *out = co_await client->describe_channel(id);
}

}  // namespace

int run_medialive_plan(const PlanArgs& args) {
  auto settings = load_serve_settings(args.flags, args.config);
  if (!settings) {
    std::cerr << "error: " << settings.error().message() << "\n";
    return 2;
  }
  auto secrets = control::SecretBox::load(settings->data_dir + "/secret.key", settings->secret_key);
  auto store = secrets ? open_store(*settings) : Result<std::unique_ptr<store::Store>>(secrets.error());
  auto wanted = store ? wanted_pushes(**store, *secrets, args, *settings) : Result<Wanted>(store.error());
  if (!wanted) {
    std::cerr << "error: " << wanted.error().message() << "\n";
    return 1;
  }
  auto setup = aws_setup("MediaLive", "medialive");
  auto client =
      setup ? aws::AwsClient::create(setup->options) : Result<std::unique_ptr<aws::AwsClient>>(setup.error());
  if (!client) {
    std::cerr << "error: " << client.error().message() << "\n";
    return 1;
  }
  const aws::MediaLiveClient medialive(**client);
  boost::asio::io_context io;
  std::optional<aws::AwsOutcome> described;
  boost::asio::co_spawn(io, describe(&medialive, wanted->spec.channel_id, &described), boost::asio::detached);
  io.run();
  if (!described || !described->ok()) {
    std::cerr << "error: DescribeChannel " << wanted->spec.channel_id << ": "
              << (described ? described->error().to_error().message() : "no answer")
              << " (credentials: " << setup->credentials_description << ")\n";
    return 1;
  }
  const auto& channel = (*described)->body;
  const bool same = engine::medialive::pushes_of(channel) == wanted->pushes;
  std::cerr << "MediaLive channel " << wanted->spec.channel_id << " is " << channel.value("state", "?")
            << "; "
            << (same ? "its RTMP outputs are already these: no UpdateChannel is needed"
                     : "the next change sends this UpdateChannel (not sent)")
            << "\n";
  for (const auto& note : wanted->notes) std::cerr << "note: " << note << "\n";
  std::cout << redacted(engine::medialive::with_pushes(channel, wanted->pushes)).dump(2) << "\n";
  return 0;
}

}  // namespace lunora::app
