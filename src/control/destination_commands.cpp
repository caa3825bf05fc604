// Destination commands (DESIGN.md "Destination lifecycle"): creating touches no engine; start/stop answer at
// once with `starting`/`stopping` and the reconciler reports the truth as the engine makes progress.
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "control/model.hpp"
#include "control/platforms.hpp"
#include "control/time_format.hpp"
#include "control/validation.hpp"
#include "core/redact.hpp"

namespace lunora::control {
namespace {

std::string new_destination_id() {
  std::string id = random_token(9);
  for (char& c : id) {
    if (c == '-' || c == '_') c = 'x';
  }
  return "d_" + id;
}

// The URL as shown and stored in the clear: whatever could be a secret in it (an RTMP URL's last segment when
// no separate key was given, SRT passphrase/streamid values) only as a hint. The full URL is stored sealed.
std::string shown_url(const std::string& url, const std::string& key) {
  const bool srt = url.rfind("srt://", 0) == 0;
  return srt || key.empty() ? redact_url(url) : url;
}

std::string platform_list() {
  std::string list;
  for (const auto& platform : platforms()) list += (list.empty() ? "" : ", ") + platform.id;
  return list;
}

// Checks platform, url and key together: the URL an output will dial must be valid.
Problem check_endpoint(const std::string& platform_id, const std::string& url, const std::string& key,
                       bool url_given) {
  const Platform* platform = find_platform(platform_id);
  if (platform == nullptr) {
    return validation_failed("platform", "platform must be one of: " + platform_list());
  }
  if (url.empty()) {
    return validation_failed("url", platform->id == "custom" ? "url is required for a custom destination"
                                                             : "this platform has no default URL; give url");
  }
  const bool srt = url.rfind("srt://", 0) == 0;
  if (key.empty() && !srt && platform->id != "custom") {
    return validation_failed("stream_key",
                             "stream_key is required: copy it from " + platform->name + "'s live dashboard");
  }
  for (unsigned char c : key) {
    if (c <= 0x20 || c == 0x7f) return validation_failed("stream_key", "stream_key must not contain spaces");
  }
  auto full = publish_url(*platform, url, key);
  if (!full) return validation_failed(url_given ? "url" : "stream_key", full.error().message());
  if (auto valid = engine::validate_output_url(*full); !valid) {
    std::string message = valid.error().message();
    // The URL carries the key: never echo it.
    if (!key.empty()) {
      for (size_t at = message.find(key); at != std::string::npos; at = message.find(key)) {
        message.replace(at, key.size(), stream_key_hint(key));
      }
    }
    return validation_failed(url_given || key.empty() ? "url" : "stream_key", message);
  }
  return std::nullopt;
}

// A channel on MediaLive in direct mode: MediaLive itself pushes, over RTMP or RTMPS only.
Problem check_medialive_endpoint(const ControlPlane::Channel& channel, const std::string& platform_id,
                                 const std::string& url, const std::string& key) {
  if (!channel.medialive || channel.medialive->mode != "direct") return std::nullopt;
  auto full = publish_url(*find_platform(platform_id), url, key);
  if (!full) return std::nullopt;  // check_endpoint said so already
  if (auto valid = engine::validate_medialive_output_url(*full); !valid) {
    return validation_failed("url", valid.error().message());
  }
  return std::nullopt;
}

}  // namespace

Outcome ControlPlane::list_destinations(const std::optional<std::string>& channel_id) {
  publish_snapshot();
  auto text = destinations_list_json(channel_id);
  if (!text) return not_found("no channel with id " + *channel_id);
  return {200, nlohmann::json::parse(*text)};
}

void ControlPlane::publish_snapshot(bool stats) {
  // Several nodes: this node's own events go out from the store's log, in order (publish()).
  if (clustered() && !own_event_ids_.empty()) sync_from_store();
  if (!snapshot_stale_ && !stats) return;
  if (snapshot_stale_) publish_playback_snapshot();
  snapshot_stale_ = false;
  auto snapshot = std::make_shared<DestinationsSnapshot>();
  snapshot->changes = changes_published_.load(std::memory_order_relaxed);
  std::vector<Destination*> ordered;
  ordered.reserve(destinations_.size());
  for (auto& [id, destination] : destinations_) ordered.push_back(destination.get());
  std::sort(ordered.begin(), ordered.end(), [](const Destination* a, const Destination* b) {
    return std::tie(a->record.created_at, a->record.id) < std::tie(b->record.created_at, b->record.id);
  });
  for (auto* destination : ordered) {
    const auto& out = destination->output;
    const bool live = destination->record.desired_on && destination->in_engine;
    auto source = std::make_tuple(destination->record.version, live, destination->status_detail,
                                  live ? out.bytes_sent : 0, live ? out.bitrate_kbps : 0.0,
                                  live ? out.uptime_s : 0, live ? out.reconnects : 0,
                                  live ? out.dropped_packets : 0, destination_warnings(*destination).dump());
    if (!destination->json_text || source != destination->json_source) {
      destination->json_text = std::make_shared<const std::string>(destination_json(*destination).dump());
      destination->json_source = std::move(source);
    }
    snapshot->items.push_back({destination->record.channel_id, destination->json_text});
  }
  for (const auto& [id, channel] : channels_) snapshot->channel_ids.push_back(id);  // std::map: sorted
  std::lock_guard lock(snapshot_mutex_);
  snapshot_ = std::move(snapshot);
}

std::optional<std::string> ControlPlane::destinations_list_json(
    const std::optional<std::string>& channel_id) const {
  std::shared_ptr<const DestinationsSnapshot> snapshot;
  {
    std::lock_guard lock(snapshot_mutex_);
    snapshot = snapshot_;
  }
  std::string text = R"({"destinations":[)";
  if (!snapshot) return text + "]}";
  if (channel_id &&
      !std::binary_search(snapshot->channel_ids.begin(), snapshot->channel_ids.end(), *channel_id)) {
    return std::nullopt;
  }
  size_t size = text.size() + 2;
  for (const auto& item : snapshot->items) size += item.json->size() + 1;
  text.reserve(size);
  bool first = true;
  for (const auto& item : snapshot->items) {
    if (channel_id && item.channel_id != *channel_id) continue;
    if (!first) text += ',';
    text += *item.json;
    first = false;
  }
  return text + "]}";
}

bool ControlPlane::destinations_snapshot_current() const {
  std::lock_guard lock(snapshot_mutex_);
  return snapshot_ && snapshot_->changes == changes_published_.load(std::memory_order_acquire);
}

Outcome ControlPlane::get_destination(const std::string& id) {
  Destination* destination = find_destination_synced(id);
  if (destination == nullptr) return not_found("no destination with id " + id);
  return {200, destination_json(*destination)};
}

Outcome ControlPlane::create_destination(const nlohmann::json& body) {
  if (auto p = require_object(body)) return *p;
  if (auto p = only_fields(body, {"channel_id", "name", "platform", "url", "stream_key", "rendition"}))
    return *p;
  for (const char* field : {"channel_id", "name", "platform"}) {
    if (!body.contains(field)) return validation_failed(field, std::string(field) + " is required");
  }
  if (auto p = check_string(body["channel_id"], "channel_id", 64)) return *p;
  const auto channel_id = body["channel_id"].get<std::string>();
  if (find_channel_synced(channel_id) == nullptr)
    return validation_failed("channel_id", "no channel with id " + channel_id);
  if (auto elsewhere = forward_if_elsewhere(channel_id)) return *elsewhere;
  if (auto p = check_name(body["name"], "name")) return *p;
  if (!body["platform"].is_string())
    return validation_failed("platform", "platform must be one of: " + platform_list());
  const auto platform_id = body["platform"].get<std::string>();
  const Platform* platform = find_platform(platform_id);
  if (platform == nullptr)
    return validation_failed("platform", "platform must be one of: " + platform_list());
  std::string url = platform->default_url;
  if (body.contains("url") && !body["url"].is_null()) {
    if (auto p = check_string(body["url"], "url", 2048)) return *p;
    url = body["url"].get<std::string>();
  }
  std::string key;
  if (body.contains("stream_key") && !body["stream_key"].is_null()) {
    if (!body["stream_key"].is_string())
      return validation_failed("stream_key", "stream_key must be a string");
    key = body["stream_key"].get<std::string>();
    if (key.size() > 1024)
      return validation_failed("stream_key", "stream_key is longer than 1024 characters");
  }
  if (auto p = check_endpoint(platform_id, url, key, body.contains("url"))) return *p;
  if (auto p = check_medialive_endpoint(*find_channel(channel_id), platform_id, url, key)) return *p;
  std::string rendition;
  if (body.contains("rendition")) {
    if (auto p = check_destination_rendition(*find_channel(channel_id), body["rendition"], rendition))
      return *p;
  }

  auto destination = std::make_unique<Destination>();
  auto& record = destination->record;
  destination->rendition = rendition;
  record.id = new_destination_id();
  record.channel_id = channel_id;
  record.name = body["name"].get<std::string>();
  record.platform = platform_id;
  destination->url = url;
  record.url = shown_url(url, key);
  record.url_sealed = secrets_.seal(url);
  destination->stream_key = key;
  record.stream_key_sealed = secrets_.seal(key);
  record.stream_key_hint = key.empty() ? "" : stream_key_hint(key);
  record.created_at = creation_time();
  record.status = "ready";
  record.status_since = record.created_at;
  if (!save_destination(*destination)) return store_failed();
  spdlog::info("event=destination_created id={} channel={} platform={} key={}", record.id, channel_id,
               platform_id, record.stream_key_hint);
  auto* created = destination.get();
  destinations_[record.id] = std::move(destination);
  return {201, destination_json(*created)};
}

Outcome ControlPlane::patch_destination(const std::string& id, const nlohmann::json& body,
                                        bool allow_restart) {
  Destination* destination = find_destination_synced(id);
  if (destination == nullptr) return not_found("no destination with id " + id);
  if (auto elsewhere = forward_if_elsewhere(destination->record.channel_id)) return *elsewhere;
  if (auto p = require_object(body)) return *p;
  if (auto p = only_fields(body, {"name", "platform", "url", "stream_key", "rendition"})) return *p;
  Destination updated = *destination;
  auto& record = updated.record;
  if (body.contains("name")) {
    if (auto p = check_name(body["name"], "name")) return *p;
    record.name = body["name"].get<std::string>();
  }
  if (body.contains("platform")) {
    if (!body["platform"].is_string() || find_platform(body["platform"].get<std::string>()) == nullptr) {
      return validation_failed("platform", "platform must be one of: " + platform_list());
    }
    record.platform = body["platform"].get<std::string>();
    if (!body.contains("url") && record.platform != destination->record.platform) {
      updated.url = find_platform(record.platform)->default_url;
    }
  }
  if (body.contains("url")) {
    if (auto p = check_string(body["url"], "url", 2048)) return *p;
    updated.url = body["url"].get<std::string>();
  }
  if (body.contains("stream_key")) {
    if (!body["stream_key"].is_string())
      return validation_failed("stream_key", "stream_key must be a string");
    updated.stream_key = body["stream_key"].get<std::string>();
    if (updated.stream_key.size() > 1024) {
      return validation_failed("stream_key", "stream_key is longer than 1024 characters");
    }
  }
  if (auto p = check_endpoint(record.platform, updated.url, updated.stream_key, body.contains("url")))
    return *p;
  if (const Channel* channel = find_channel(record.channel_id)) {
    if (auto p = check_medialive_endpoint(*channel, record.platform, updated.url, updated.stream_key))
      return *p;
    if (body.contains("rendition")) {
      if (auto p = check_destination_rendition(*channel, body["rendition"], updated.rendition)) return *p;
    }
  }
  const bool rendition_changed = updated.rendition != destination->rendition;
  const bool endpoint_changed = updated.url != destination->url ||
                                updated.stream_key != destination->stream_key ||
                                record.platform != destination->record.platform;
  const bool changed = endpoint_changed || rendition_changed || record.name != destination->record.name;
  if (!changed) return {200, destination_json(*destination)};  // nothing to save, no event
  if (endpoint_changed && record.desired_on) {
    if (auto refused = refuse_restart(*destination, true, allow_restart, true)) return *refused;
  }
  if (endpoint_changed) {
    record.url = shown_url(updated.url, updated.stream_key);
    record.url_sealed = secrets_.seal(updated.url);
    record.stream_key_sealed = secrets_.seal(updated.stream_key);
    record.stream_key_hint = updated.stream_key.empty() ? "" : stream_key_hint(updated.stream_key);
  }
  if ((endpoint_changed || rendition_changed) && record.desired_on) {
    // Reconnects this destination only: the engine swaps its output, the others never notice.
    record.status = "starting";
    record.status_since = now_ms();
    record.next_retry_at = 0;
    updated.status_detail = "reconnecting with the new settings";
    updated.in_engine = false;
  }
  if (!save_destination(updated)) return store_failed();
  *destination = std::move(updated);
  if ((endpoint_changed || rendition_changed) && destination->record.desired_on)
    drive_destination(*destination);
  return {200, destination_json(*destination)};
}

Outcome ControlPlane::delete_destination(const std::string& id, bool allow_restart) {
  Destination* destination = find_destination_synced(id);
  if (destination == nullptr) return not_found("no destination with id " + id);
  if (auto elsewhere = forward_if_elsewhere(destination->record.channel_id)) return *elsewhere;
  if (destination->record.desired_on) {
    if (auto refused = refuse_restart(*destination, false, allow_restart)) return *refused;
  }
  const std::string channel_id = destination->record.channel_id;
  // Saved first: a delete that cannot be saved (a full disk) leaves the output streaming, untouched.
  store::Change change;
  change.delete_destinations.push_back(id);
  change.events.push_back(
      {0, "destination_deleted", nlohmann::json{{"id", id}, {"channel_id", channel_id}}.dump(), now_ms()});
  auto committed = store_.commit(change);
  if (!committed) {
    last_store_error_ = committed.error().message();
    spdlog::error("event=store_write_failed destination={} error=\"{}\"", id, committed.error().message());
    return store_failed();
  }
  // The engine takes the output off the hub now (no more media to it) and closes it properly in the
  // background.
  engine_.stop_output(channel_id, id, {});
  destinations_.erase(id);
  spdlog::info("event=destination_deleted id={}", id);
  publish(change.events, committed->event_ids);
  if (Channel* channel = find_channel(channel_id)) update_channel_state(*channel);
  return {204, nullptr};
}

Outcome ControlPlane::start_destination(const std::string& id, bool allow_restart) {
  Destination* destination = find_destination_synced(id);
  if (destination == nullptr) return not_found("no destination with id " + id);
  if (auto elsewhere = forward_if_elsewhere(destination->record.channel_id)) return *elsewhere;
  if (destination->record.desired_on) {  // idempotent; a change waiting for a restart may get it now
    if (allow_restart) allow_pending_restart(destination->record.channel_id);
    return {202, destination_json(*destination)};
  }
  Channel* channel = find_channel(destination->record.channel_id);
  if (channel != nullptr && !channel->record.auto_start && !channel->manual_start) {
    return conflict("channel \"" + channel->record.name +
                    "\" is idle and auto_start is off: start the channel first (POST /api/v1/channels/" +
                    channel->record.id + "/start)");
  }
  if (auto refused = refuse_restart(*destination, true, allow_restart)) return *refused;
  Destination updated = *destination;
  auto& record = updated.record;
  record.desired_on = true;
  record.status = "starting";
  record.status_since = now_ms();
  record.last_error_code.clear();
  record.last_error_message.clear();
  record.last_error_at = 0;
  record.next_retry_at = 0;
  updated.status_detail = "starting";
  updated.generation += 1;
  // A stop still tearing the old output down: the engine already dropped it, a new one starts clean.
  updated.in_engine = false;
  if (!save_destination(updated)) return store_failed();
  *destination = std::move(updated);
  spdlog::info("event=destination_start id={}", id);
  drive_destination(*destination);
  if (channel != nullptr) update_channel_state(*channel);
  return {202, destination_json(*destination)};
}

Outcome ControlPlane::stop_destination(const std::string& id, bool allow_restart) {
  Destination* destination = find_destination_synced(id);
  if (destination == nullptr) return not_found("no destination with id " + id);
  if (auto elsewhere = forward_if_elsewhere(destination->record.channel_id)) return *elsewhere;
  if (!destination->record.desired_on) {  // idempotent; a change waiting for a restart may get it now
    if (allow_restart) allow_pending_restart(destination->record.channel_id);
    return {202, destination_json(*destination)};
  }
  if (auto refused = refuse_restart(*destination, false, allow_restart)) return *refused;
  Destination updated = *destination;
  auto& record = updated.record;
  record.desired_on = false;
  record.status = "stopping";
  record.status_since = now_ms();
  record.next_retry_at = 0;
  updated.status_detail = "stopping";
  updated.generation += 1;
  updated.in_engine = false;
  if (!save_destination(updated)) return store_failed();
  *destination = std::move(updated);
  spdlog::info("event=destination_stop id={}", id);
  const uint64_t generation = destination->generation;
  engine_.stop_output(
      destination->record.channel_id, id, [this, executor = executor_, alive = alive_, id, generation] {
        boost::asio::post(executor, [this, alive, id, generation] {
          if (!*alive) return;
          Destination* stopped = find_destination(id);
          if (stopped == nullptr || stopped->generation != generation || stopped->record.desired_on) return;
          Destination ready = *stopped;
          ready.record.status = "ready";
          ready.record.status_since = now_ms();
          ready.status_detail.clear();
          ready.output = {};
          if (save_destination(ready)) *stopped = std::move(ready);
          if (Channel* channel = find_channel(stopped->record.channel_id)) update_channel_state(*channel);
          publish_snapshot();
        });
      });
  return {202, destination_json(*destination)};
}

}  // namespace lunora::control
