// Channels and destinations as the control plane holds them, from their stored records: secrets opened once,
// settings kept in extra_json read back. At start, and when this node takes on or mirrors another node's
// channel (cluster.cpp).
#include <spdlog/spdlog.h>

#include "control/control_plane.hpp"
#include "control/medialive_settings.hpp"
#include "control/model.hpp"

namespace lunora::control {

Result<std::unique_ptr<ControlPlane::Channel>> ControlPlane::load_channel(store::ChannelRecord record) {
  auto channel = std::make_unique<Channel>();
  auto key = secrets_.open(record.rtmp_key_sealed);
  auto passphrase = secrets_.open(record.passphrase_sealed);
  if (!key || !passphrase) {
    return Error(ErrorCode::kInvalidArgument,
                 "channel " + record.id + ": " + (key ? passphrase.error() : key.error()).message());
  }
  channel->rtmp_key = *key;
  channel->passphrase = *passphrase;
  channel->record.id = record.id;
  load_slate_image(*channel);
  const auto extra = nlohmann::json::parse(record.extra_json, nullptr, false);
  if (extra.is_object()) {
    channel->manual_start = extra.value("manual_start", false);
    channel->is_public = extra.value("public", false);
    channel->input_loss_slate_after_ms = extra.value("input_loss_slate_after_ms", 1000);
    channel->input_loss_stop_after_s = extra.value("input_loss_stop_after_s", 0);
    channel->failover_after_ms = extra.value("failover_after_ms", 1000);
    channel->failback_after_s = extra.value("failback_after_s", 10);
    if (const auto backup = extra.find("backup"); backup != extra.end() && backup->is_object()) {
      auto backup_key = secrets_.open(backup->value("rtmp_key_sealed", std::string()));
      if (!backup_key) {
        return Error(ErrorCode::kInvalidArgument,
                     "channel " + record.id + ": " + backup_key.error().message());
      }
      channel->backup = engine::BackupIngestSpec{backup->value("protocol", std::string("srt")),
                                                 backup->value("srt_port", 0), *backup_key};
    }
    auto token = secrets_.open(extra.value("playback_token_sealed", std::string()));
    if (!token) {
      return Error(ErrorCode::kInvalidArgument, "channel " + record.id + ": " + token.error().message());
    }
    channel->playback_token = *token;
    channel->playback_base_seen = extra.value("playback_base_url", std::string());
    if (const auto medialive = extra.find("medialive"); medialive != extra.end() && medialive->is_object()) {
      channel->medialive = medialive_settings_from(*medialive);
      if (const auto seen = extra.find("medialive_seen"); seen != extra.end()) {
        channel->medialive_report = medialive_seen_from(*seen, channel->relay_url_seen);
      }
    }
    if (const auto renditions = extra.find("renditions");
        renditions != extra.end() && renditions->is_array()) {
      for (const auto& stored : *renditions) {
        if (stored.is_object()) channel->renditions.push_back(rendition_from_stored(stored));
      }
    }
  }
  last_created_at_ = std::max(last_created_at_, record.created_at);
  channel->record = std::move(record);
  return channel;
}

Result<std::unique_ptr<ControlPlane::Destination>> ControlPlane::load_destination(
    store::DestinationRecord record) {
  auto destination = std::make_unique<Destination>();
  auto key = secrets_.open(record.stream_key_sealed);
  if (!key) {
    return Error(ErrorCode::kInvalidArgument, "destination " + record.id + ": " + key.error().message());
  }
  destination->stream_key = *key;
  auto url = record.url_sealed.empty() ? Result<std::string>(record.url) : secrets_.open(record.url_sealed);
  if (!url) {
    return Error(ErrorCode::kInvalidArgument, "destination " + record.id + ": " + url.error().message());
  }
  destination->url = *url;
  const auto extra = nlohmann::json::parse(record.extra_json, nullptr, false);
  if (extra.is_object()) {
    destination->status_detail = extra.value("status_detail", std::string());
    if (extra.contains("rendition") && extra["rendition"].is_string()) {
      destination->rendition = extra["rendition"].get<std::string>();
    }
  }
  last_created_at_ = std::max(last_created_at_, record.created_at);
  destination->record = std::move(record);
  return destination;
}

}  // namespace lunora::control
