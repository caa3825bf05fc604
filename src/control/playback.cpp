// Playback (issue 4): the channel's HLS packager follows the channel (on while it runs or is watched), the
// playback token guards viewers, and HTTP threads check viewers against a snapshot without a hop here.
#include <spdlog/spdlog.h>

#include "control/model.hpp"
#include "control/time_format.hpp"

namespace lunora::control {
namespace {

// A viewer's player asks for the playlist every target duration (2 s); a short auto_stop_after_s must not
// switch HLS off between two of its requests.
constexpr int64_t kMinWatchLingerMs = 10'000;

}  // namespace

void ControlPlane::update_hls(Channel& channel) {
  if (!drives(channel)) return;  // packaged by the node that drives it
  if (channel.medialive && channel.medialive->mode == "direct") return;  // MediaLive packages it (to S3)
  const auto& record = channel.record;
  const int64_t now = now_ms();
  const int64_t watched = channel.last_watched_ms->load(std::memory_order_relaxed);
  const int64_t linger = std::max(int64_t{record.auto_stop_after_s} * 1000, kMinWatchLingerMs);
  const bool runs = record.state == "running" || record.state == "starting";
  const bool wanted = channel.listen_error.empty() && (runs || (watched != 0 && now - watched < linger));
  if (wanted && !channel.hls) {
    auto started = engine_.start_hls(record.id);
    if (started) {
      channel.hls = *started;
      channel.hls_start_error.clear();
    } else if (channel.hls_start_error != started.error().message()) {
      channel.hls_start_error = started.error().message();
      spdlog::warn("event=hls_start_failed channel={} error=\"{}\"", record.id, channel.hls_start_error);
    }
  } else if (!wanted && (channel.hls || !channel.hls_start_error.empty())) {
    engine_.stop_hls(record.id);
    channel.hls.reset();
    channel.hls_report = {};
    channel.hls_start_error.clear();
  }
  const std::string status = hls_status(channel);
  if (status == channel.hls_status) return;
  spdlog::info("event=hls_status channel={} status={}", record.id, status);
  channel.hls_status = status;
  // Live state, not part of the record: announced (and logged for resumes) like input health.
  store::Change change;
  change.events.push_back(channel_event(channel));
  commit(std::move(change));
}

std::string ControlPlane::hls_status(const Channel& channel) const {
  if (!channel.hls_start_error.empty() || !channel.hls_report.error.empty()) return "error";
  if (!channel.hls) return "off";
  return channel.input.on_air_connected() && channel.hls_report.window_segments > 0 ? "live" : "starting";
}

std::string ControlPlane::playback_query(const Channel& channel) const {
  return channel.is_public ? "" : "?token=" + channel.playback_token;
}

nlohmann::json ControlPlane::hls_json(const Channel& channel) const {
  const auto& report = channel.hls_report;
  const std::string& error = !channel.hls_start_error.empty() ? channel.hls_start_error : report.error;
  return {
      {"status", channel.hls_status},
      {"playlist_url",
       options_.http_base_url + "/hls/" + channel.record.id + "/index.m3u8" + playback_query(channel)},
      {"segments", report.window_segments},
      {"bytes", report.window_bytes},
      {"dropped_packets", report.dropped_packets},
      {"error", error.empty() ? nlohmann::json(nullptr) : nlohmann::json(error)},
  };
}

Outcome ControlPlane::rotate_playback_token(const std::string& id) {
  Channel* channel = find_channel_synced(id);
  if (channel == nullptr) return not_found("no channel with id " + id);
  if (auto elsewhere = forward_if_elsewhere(id)) return *elsewhere;
  Channel updated = *channel;
  updated.playback_token = random_token(18);
  if (!save_channel(updated)) return store_failed();
  *channel = std::move(updated);
  spdlog::info("event=playback_token_rotated channel={}", id);
  return {200, channel_json(*channel)};
}

void ControlPlane::publish_playback_snapshot() {
  auto snapshot = std::make_shared<PlaybackSnapshot>();
  for (const auto& [id, channel] : channels_) {
    const std::string& error =
        !channel->hls_start_error.empty() ? channel->hls_start_error : channel->hls_report.error;
    snapshot->emplace(
        id, PlaybackEntry{channel->playback_token, channel->is_public, channel->input.on_air_connected(),
                          channel->hls, channel->last_watched_ms, error});
  }
  std::lock_guard lock(playback_mutex_);
  playback_ = std::move(snapshot);
}

Playback ControlPlane::playback(const std::string& channel_id, std::string_view token, bool watching) const {
  std::shared_ptr<const PlaybackSnapshot> snapshot;
  {
    std::lock_guard lock(playback_mutex_);
    snapshot = playback_;
  }
  Playback result;
  if (!snapshot) return result;
  auto it = snapshot->find(channel_id);
  if (it == snapshot->end()) return result;
  const PlaybackEntry& entry = it->second;
  if (!entry.is_public && !constant_time_equal(std::string(token), entry.token)) {
    result.access = Playback::Access::kDenied;
    return result;
  }
  result.access = Playback::Access::kGranted;
  result.stream = entry.stream;
  result.input_connected = entry.input_connected;
  result.needs_token = !entry.is_public;
  result.error = entry.error;
  if (watching) entry.last_watched_ms->store(now_ms(), std::memory_order_relaxed);
  return result;
}

}  // namespace lunora::control
