#include "engine/medialive/medialive_engine.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

namespace lunora::engine::medialive {

Result<std::unique_ptr<MediaLiveEngine>> MediaLiveEngine::create(aws::AwsClientOptions client_options,
                                                                 Options options) {
  auto client = aws::AwsClient::create(std::move(client_options));
  if (!client) return client.error().wrap("MediaLive");
  return std::unique_ptr<MediaLiveEngine>(new MediaLiveEngine(std::move(*client), options));
}

MediaLiveEngine::MediaLiveEngine(std::unique_ptr<aws::AwsClient> client, Options options)
    : options_(options),
      client_(std::move(client)),
      medialive_(*client_),
      work_(boost::asio::make_work_guard(io_)) {
  thread_ = std::thread([this] { io_.run(); });
}

MediaLiveEngine::~MediaLiveEngine() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    for (auto& [id, channel] : channels_) {
      if (channel.driver) channel.driver->stop();
    }
  }
  // Every driver ends after its call in flight, and so does a provisioning: then the thread runs out of work.
  work_.reset();
  if (thread_.joinable()) thread_.join();
}

void MediaLiveEngine::open_channel(const std::string& lunora_id, ProvisionRequest request) {
  uint64_t generation = 0;
  {
    std::lock_guard lock(mutex_);
    if (channels_.contains(lunora_id)) return;
    auto [it, inserted] = channels_.try_emplace(lunora_id, options_.rates);
    it->second.hls = !request.hls_s3_url.empty();
    generation = it->second.generation = next_generation_++;
  }
  request.lunora_channel_id = lunora_id;
  boost::asio::co_spawn(io_, provision_then_drive(this, lunora_id, std::move(request), generation),
                        boost::asio::detached);
}

boost::asio::awaitable<void> MediaLiveEngine::provision_then_drive(MediaLiveEngine* engine,
                                                                   std::string lunora_id,
                                                                   ProvisionRequest request,
                                                                   uint64_t generation) {
  Result<Provisioned> result = Error(ErrorCode::kInternal, "not provisioned");
  try {
    result = co_await provision(engine->medialive_, std::move(request));
  } catch (const std::exception& e) {
    // An answer of an unexpected shape (nlohmann's type errors): a failure like any other, tried again.
    result = Error(ErrorCode::kParse, std::string("unexpected answer from MediaLive: ") + e.what());
  }
  engine->provisioned(lunora_id, generation, std::move(result));
}

void MediaLiveEngine::provisioned(const std::string& lunora_id, uint64_t generation,
                                  Result<Provisioned> result) {
  std::lock_guard lock(mutex_);
  auto it = channels_.find(lunora_id);
  // Closed (and maybe opened again) meanwhile: this result is not the channel's any more.
  if (it == channels_.end() || it->second.generation != generation || closing_) return;
  Channel& channel = it->second;
  if (!result) {
    channel.phase = "failed";
    channel.error = result.error().message();
    spdlog::warn("event=medialive_provision_failed channel={} error=\"{}\"", lunora_id, channel.error);
    return;
  }
  channel.phase = "ready";
  channel.resources = *result;
  // Not before Lunora said what it wants: an empty wish would stop a running channel it is about to drive.
  if (channel.desired_given) start_driver(channel);
}

void MediaLiveEngine::start_driver(Channel& channel) {
  channel.driver =
      ChannelDriver::start(io_.get_executor(), medialive_, channel.resources.channel_id, options_.driver);
  channel.driver->set_desired(channel.desired);
}

void MediaLiveEngine::set_desired(const std::string& lunora_id, ChannelDriver::Desired desired) {
  std::lock_guard lock(mutex_);
  auto it = channels_.find(lunora_id);
  if (it == channels_.end()) return;
  Channel& channel = it->second;
  channel.desired = desired;
  channel.desired_given = true;
  if (channel.driver) {
    channel.driver->set_desired(std::move(desired));
  } else if (channel.phase == "ready" && !closing_) {
    start_driver(channel);
  }
}

void MediaLiveEngine::close_channel(const std::string& lunora_id) {
  std::lock_guard lock(mutex_);
  auto it = channels_.find(lunora_id);
  if (it == channels_.end()) return;
  if (it->second.driver) it->second.driver->stop();
  channels_.erase(it);
}

void MediaLiveEngine::refresh() {
  std::lock_guard lock(mutex_);
  for (auto& [id, channel] : channels_) {
    if (channel.driver) channel.driver->refresh();
  }
}

bool MediaLiveEngine::quiet() {
  std::lock_guard lock(mutex_);
  return std::all_of(channels_.begin(), channels_.end(), [](const auto& entry) {
    const Channel& channel = entry.second;
    return channel.phase != "provisioning" && (!channel.driver || channel.driver->quiet());
  });
}

std::optional<MediaLiveEngine::ChannelStatus> MediaLiveEngine::status(const std::string& lunora_id) {
  std::lock_guard lock(mutex_);
  auto it = channels_.find(lunora_id);
  if (it == channels_.end()) return std::nullopt;
  Channel& channel = it->second;
  ChannelStatus status{channel.phase, channel.error, channel.resources, {}, {}};
  if (channel.driver) status.observed = channel.driver->observed();
  // The meter follows what MediaLive says: running (and billed) from the first RUNNING look to the first
  // look at anything else. A channel bills from STARTING on; Lunora's looks come every poll, so the estimate
  // can be short by one poll per run.
  const bool running = status.observed.state == "RUNNING" || status.observed.state == "RECOVERING";
  const auto now = CostMeter::Clock::now();
  const int outputs = static_cast<int>(status.observed.pushes.size()) + (channel.hls ? 1 : 0);
  // A start MediaLive accepted begins a new billed run, also when Lunora's looks missed the stop before it.
  const bool new_start = status.observed.starts > channel.starts_metered;
  channel.starts_metered = status.observed.starts;
  if (new_start) channel.cost.observe(false, outputs, now);
  channel.cost.observe(running, outputs, now);
  status.cost = channel.cost.summary(now);
  return status;
}

}  // namespace lunora::engine::medialive
