// Persistence of the domain (DESIGN.md "The flow of one command"): every change is committed to the store
// with its event before it is published, and a record saved over another version only where this node may.
#include <spdlog/spdlog.h>

#include "control/control_plane.hpp"
#include "control/medialive_settings.hpp"
#include "control/model.hpp"
#include "control/time_format.hpp"

namespace lunora::control {

bool ControlPlane::commit(const store::Change& change) {
  auto committed = store_.commit(change);
  if (!committed) {
    last_store_error_ = committed.error().message();
    spdlog::error("event=store_write_failed error=\"{}\"", last_store_error_);
    return false;
  }
  for (auto& channel : change.put_channels) {
    if (auto* c = find_channel(channel.id)) c->record.version = channel.version + 1;
  }
  for (auto& destination : change.put_destinations) {
    if (auto* d = find_destination(destination.id)) d->record.version = destination.version + 1;
  }
  publish(change.events, committed->event_ids);
  return true;
}

store::EventRecord ControlPlane::channel_event(const Channel& channel) const {
  return {0, "channel", channel_json(channel).dump(), now_ms()};
}

store::EventRecord ControlPlane::destination_event(const Destination& destination) const {
  return {0, "destination", destination_json(destination).dump(), now_ms()};
}

namespace {

// Sets one key of a record's extra_json object (kept even when the stored text was not an object).
std::string with_extra(const std::string& extra_json, const char* key, const nlohmann::json& value) {
  nlohmann::json extra = nlohmann::json::parse(extra_json, nullptr, false);
  if (!extra.is_object()) extra = nlohmann::json::object();
  extra[key] = value;
  return extra.dump();
}

std::optional<int64_t> stored_version(store::Store& store, const store::ChannelRecord& record) {
  auto stored = store.get_channel(record.id);
  if (!stored || !*stored) return std::nullopt;
  return (*stored)->version;
}

std::optional<int64_t> stored_version(store::Store& store, const store::DestinationRecord& record) {
  auto stored = store.get_destination(record.id);
  if (!stored || !*stored) return std::nullopt;
  return (*stored)->version;
}

const std::string& channel_of(const store::ChannelRecord& record) {
  return record.id;
}

const std::string& channel_of(const store::DestinationRecord& record) {
  return record.channel_id;
}

}  // namespace

// One record and the event announcing it, in one transaction; the event shows the version it stores.
template <typename Item, typename Record>
bool ControlPlane::save_record(Item& item, Record& record, std::vector<Record> store::Change::*puts,
                               store::EventRecord (ControlPlane::*event)(const Item&) const) {
  record.updated_at = now_ms();
  store::Change change;
  (change.*puts).push_back(record);
  record.version += 1;
  change.events.push_back((this->*event)(item));
  auto committed = store_.commit(change);
  // record.version > 1: an update (a create never overwrites).
  if (!committed && committed.error().code() == ErrorCode::kConflict && record.version > 1 &&
      may_overwrite(channel_of(record))) {
    // Several nodes: the node that drove this record before had not yet learnt that it lost it and wrote it
    // after this node took over. This node is its only writer now: its state wins, on top of that version.
    auto stored = stored_version(store_, record);
    if (stored && *stored != (change.*puts)[0].version) {
      spdlog::warn("event=store_version_adopted id={} ours={} stored={}", record.id,
                   (change.*puts)[0].version, *stored);
      (change.*puts)[0].version = *stored;
      record.version = *stored + 1;
      change.events[0] = (this->*event)(item);
      committed = store_.commit(change);
    }
  }
  if (!committed) {
    last_store_error_ = committed.error().message();
    record.version -= 1;
    spdlog::error("event=store_write_failed id={} error=\"{}\"", record.id, committed.error().message());
    return false;
  }
  publish(change.events, committed->event_ids);
  return true;
}

bool ControlPlane::save_channel(Channel& channel) {
  auto& extra = channel.record.extra_json;
  extra = with_extra(extra, "manual_start", channel.manual_start);
  extra = with_extra(extra, "public", channel.is_public);
  extra = with_extra(extra, "input_loss_slate_after_ms", channel.input_loss_slate_after_ms);
  extra = with_extra(extra, "input_loss_stop_after_s", channel.input_loss_stop_after_s);
  extra = with_extra(extra, "failover_after_ms", channel.failover_after_ms);
  extra = with_extra(extra, "failback_after_s", channel.failback_after_s);
  extra =
      with_extra(extra, "backup",
                 channel.backup ? nlohmann::json{{"protocol", channel.backup->protocol},
                                                 {"srt_port", channel.backup->srt_port},
                                                 {"rtmp_key_sealed", secrets_.seal(channel.backup->rtmp_key)}}
                                : nlohmann::json(nullptr));
  extra = with_extra(extra, "playback_token_sealed", secrets_.seal(channel.playback_token));
  extra = with_extra(extra, "playback_base_url", options_.http_base_url);
  extra =
      with_extra(extra, "medialive",
                 channel.medialive ? medialive_settings_json(*channel.medialive) : nlohmann::json(nullptr));
  extra = with_extra(
      extra, "medialive_seen",
      channel.medialive
          ? medialive_seen_json(channel.medialive_report,
                                channel.medialive->mode == "hybrid" ? relay_url_hint(channel) : std::string())
          : nlohmann::json(nullptr));
  nlohmann::json renditions = nlohmann::json::array();
  for (const auto& rendition : channel.renditions) renditions.push_back(rendition_stored_json(rendition));
  extra = with_extra(extra, "renditions", renditions);
  return save_record(channel, channel.record, &store::Change::put_channels, &ControlPlane::channel_event);
}

bool ControlPlane::save_destination(Destination& destination) {
  destination.record.extra_json =
      with_extra(destination.record.extra_json, "status_detail", destination.status_detail);
  destination.record.extra_json = with_extra(
      destination.record.extra_json, "rendition",
      destination.rendition.empty() ? nlohmann::json(nullptr) : nlohmann::json(destination.rendition));
  return save_record(destination, destination.record, &store::Change::put_destinations,
                     &ControlPlane::destination_event);
}

}  // namespace lunora::control
