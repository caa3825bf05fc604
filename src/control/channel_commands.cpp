// Channel commands: validate, persist (with the event), then drive the engine.
#include <spdlog/spdlog.h>

#include <functional>

#include "control/medialive_settings.hpp"
#include "control/model.hpp"
#include "control/time_format.hpp"
#include "control/validation.hpp"

namespace lunora::control {
namespace {

constexpr int kMinPassphrase = 10;  // libsrt's limits (SRTO_PASSPHRASE)
constexpr int kMaxPassphrase = 79;

// MediaLive runs in AWS: a relay to 127.0.0.1 or localhost reaches nothing (tests on one machine aside).
bool is_loopback_rtmp_url(const std::string& url) {
  const auto host = url.substr(url.find("://") == std::string::npos ? 0 : url.find("://") + 3);
  return host.starts_with("127.") || host.starts_with("localhost") || host.starts_with("[::1]");
}

std::string new_id(const char* prefix) {
  std::string id = random_token(9);
  for (char& c : id) {
    if (c == '-' || c == '_') c = 'x';  // ids stay plain in URLs, logs and metric labels
  }
  return prefix + id;
}

}  // namespace

int ControlPlane::next_free_srt_port(int also_taken) const {
  for (int port = options_.first_srt_port;; ++port) {
    bool used = port == also_taken;
    for (const auto& [id, channel] : channels_) {
      used =
          used || channel->record.srt_port == port || (channel->backup && channel->backup->srt_port == port);
    }
    if (!used) return port;
  }
}

const ControlPlane::Channel* ControlPlane::srt_port_user(int port, const std::string& except_id) const {
  for (const auto& [id, channel] : channels_) {
    if (id == except_id) continue;
    const bool primary = channel->record.input_protocol == "srt" && channel->record.srt_port == port;
    const bool backup =
        channel->backup && channel->backup->protocol == "srt" && channel->backup->srt_port == port;
    if (primary || backup) return channel.get();
  }
  return nullptr;
}

Outcome ControlPlane::list_channels() {
  std::vector<const Channel*> ordered;
  for (const auto& [id, channel] : channels_) ordered.push_back(channel.get());
  std::sort(ordered.begin(), ordered.end(), [](const Channel* a, const Channel* b) {
    return std::tie(a->record.created_at, a->record.id) < std::tie(b->record.created_at, b->record.id);
  });
  nlohmann::json items = nlohmann::json::array();
  for (const auto* channel : ordered) items.push_back(channel_json(*channel));
  return {200, {{"channels", items}}};
}

Outcome ControlPlane::get_channel(const std::string& id) {
  Channel* channel = find_channel_synced(id);
  if (channel == nullptr) return not_found("no channel with id " + id);
  return {200, channel_json(*channel)};
}

Outcome ControlPlane::channel_ingest(const std::string& id) {
  Channel* channel = find_channel_synced(id);
  if (channel == nullptr) return not_found("no channel with id " + id);
  auto ingest = ingest_json(*channel);
  ingest.erase("ingest_url_redacted");
  if (ingest["backup"].is_object()) ingest["backup"].erase("ingest_url_redacted");
  return {200, ingest};
}

// Reads the input settings of a create or patch body onto `channel` (what the body leaves out stays).
static Problem apply_input(const nlohmann::json& input, ControlPlane::Channel& channel, uint16_t rtmp_port) {
  if (!input.is_object()) return validation_failed("input", "input must be an object");
  if (auto p = only_fields(input, {"protocol", "port", "passphrase", "latency_ms", "streamid"}, "input.")) {
    return p;
  }
  auto& record = channel.record;
  if (input.contains("protocol")) {
    const auto& protocol = input["protocol"];
    if (!protocol.is_string() || (protocol != "srt" && protocol != "rtmp")) {
      return validation_failed("input.protocol", "input.protocol must be \"srt\" or \"rtmp\"");
    }
    record.input_protocol = protocol.get<std::string>();
  }
  const bool srt = record.input_protocol == "srt";
  if (input.contains("port")) {
    if (srt) {
      if (auto p = check_int(input["port"], "input.port", 1024, 65535)) return p;
      record.srt_port = input["port"].get<int>();
    } else if (!input["port"].is_number_integer() || input["port"].get<int>() != rtmp_port) {
      return validation_failed("input.port", "RTMP channels share Lunora's RTMP port " +
                                                 std::to_string(rtmp_port) +
                                                 " (set with --rtmp); leave input.port out");
    }
  }
  if (input.contains("passphrase")) {
    const auto& value = input["passphrase"];
    if (!value.is_null()) {
      if (auto p = check_string(value, "input.passphrase", kMaxPassphrase)) return p;
      const auto& text = value.get_ref<const std::string&>();
      if (!text.empty() && text.size() < kMinPassphrase) {
        return validation_failed("input.passphrase",
                                 "input.passphrase must be 10 to 79 characters (SRT's rule)");
      }
    }
    channel.passphrase = value.is_null() ? "" : value.get<std::string>();
  }
  if (input.contains("latency_ms")) {
    if (auto p = check_int(input["latency_ms"], "input.latency_ms", 20, 8000)) return p;
    record.latency_ms = input["latency_ms"].get<int>();
  }
  if (input.contains("streamid")) {
    const auto& value = input["streamid"];
    if (!value.is_null()) {
      if (auto p = check_string(value, "input.streamid", 512)) return p;
    }
    record.streamid = value.is_null() ? "" : value.get<std::string>();
  }
  if (!srt && (!channel.passphrase.empty() || !record.streamid.empty())) {
    return validation_failed(
        !channel.passphrase.empty() ? "input.passphrase" : "input.streamid",
        "passphrase and streamid are SRT settings; an RTMP channel is protected by its key "
        "(set them to \"\" to change the protocol)");
  }
  return std::nullopt;
}

// Reads `backup_input` of a create or patch body: null removes the backup, an object adds or changes it.
static Problem apply_backup_input(const nlohmann::json& body, ControlPlane::Channel& channel,
                                  uint16_t rtmp_port) {
  if (body.is_null()) {
    channel.backup.reset();
    return std::nullopt;
  }
  if (!body.is_object()) return validation_failed("backup_input", "backup_input must be an object or null");
  if (auto p = only_fields(body, {"protocol", "port"}, "backup_input.")) return p;
  engine::BackupIngestSpec backup = channel.backup.value_or(engine::BackupIngestSpec{});
  if (backup.rtmp_key.empty()) backup.rtmp_key = random_token(18);
  if (body.contains("protocol")) {
    const auto& protocol = body["protocol"];
    if (!protocol.is_string() || (protocol != "srt" && protocol != "rtmp")) {
      return validation_failed("backup_input.protocol", "backup_input.protocol must be \"srt\" or \"rtmp\"");
    }
    backup.protocol = protocol.get<std::string>();
  }
  if (body.contains("port")) {
    if (backup.protocol == "srt") {
      if (auto p = check_int(body["port"], "backup_input.port", 1024, 65535)) return p;
      backup.srt_port = body["port"].get<int>();
    } else if (!body["port"].is_number_integer() || body["port"].get<int>() != rtmp_port) {
      return validation_failed("backup_input.port", "an RTMP backup shares Lunora's RTMP port " +
                                                        std::to_string(rtmp_port) + "; leave the port out");
    }
  }
  if (backup.protocol != "srt") backup.srt_port = 0;
  channel.backup = backup;
  return std::nullopt;
}

// The SRT ports the channel listens on must be its own: the backup's differs from the primary's, and no other
// channel uses either. Ports left at 0 get the next free one.
static std::optional<Outcome> settle_srt_ports(ControlPlane::Channel& channel,
                                               const std::function<int(int)>& next_free,
                                               const std::function<const ControlPlane::Channel*(int)>& user) {
  auto& record = channel.record;
  if (record.input_protocol == "srt" && record.srt_port == 0) {
    record.srt_port = next_free(channel.backup ? channel.backup->srt_port : 0);
  }
  if (channel.backup && channel.backup->protocol == "srt" && channel.backup->srt_port == 0) {
    channel.backup->srt_port = next_free(record.input_protocol == "srt" ? record.srt_port : 0);
  }
  if (channel.backup && channel.backup->protocol == "srt" && record.input_protocol == "srt" &&
      channel.backup->srt_port == record.srt_port) {
    return validation_failed("backup_input.port", "the backup input needs an SRT port of its own");
  }
  for (const auto& [port, field] :
       {std::pair{record.input_protocol == "srt" ? record.srt_port : 0, "input"},
        std::pair{channel.backup && channel.backup->protocol == "srt" ? channel.backup->srt_port : 0,
                  "backup_input"}}) {
    if (port == 0) continue;
    if (const auto* other = user(port)) {
      return conflict("SRT port " + std::to_string(port) + " (" + field + ") is used by channel \"" +
                      other->record.name + "\"");
    }
  }
  return std::nullopt;
}

static Problem apply_channel_settings(const nlohmann::json& body, ControlPlane::Channel& channel) {
  auto& record = channel.record;
  if (body.contains("name")) {
    if (auto p = check_name(body["name"], "name")) return p;
    record.name = body["name"].get<std::string>();
  }
  if (body.contains("auto_start")) {
    if (auto p = check_bool(body["auto_start"], "auto_start")) return p;
    record.auto_start = body["auto_start"].get<bool>();
  }
  if (body.contains("auto_stop_after_s")) {
    if (auto p = check_int(body["auto_stop_after_s"], "auto_stop_after_s", 0, 86400)) return p;
    record.auto_stop_after_s = body["auto_stop_after_s"].get<int>();
  }
  if (body.contains("input_loss_slate_after_ms")) {
    const auto& value = body["input_loss_slate_after_ms"];
    if (auto p = check_int(value, "input_loss_slate_after_ms", 0, 60000)) return p;
    channel.input_loss_slate_after_ms = value.get<int>();
  }
  if (body.contains("input_loss_stop_after_s")) {
    const auto& value = body["input_loss_stop_after_s"];
    if (auto p = check_int(value, "input_loss_stop_after_s", 0, 86400)) return p;
    channel.input_loss_stop_after_s = value.get<int>();
  }
  if (body.contains("failover_after_ms")) {
    if (auto p = check_int(body["failover_after_ms"], "failover_after_ms", 200, 60000)) return p;
    channel.failover_after_ms = body["failover_after_ms"].get<int>();
  }
  if (body.contains("failback_after_s")) {
    if (auto p = check_int(body["failback_after_s"], "failback_after_s", 0, 86400)) return p;
    channel.failback_after_s = body["failback_after_s"].get<int>();
  }
  if (body.contains("public")) {
    if (auto p = check_bool(body["public"], "public")) return p;
    channel.is_public = body["public"].get<bool>();
  }
  return std::nullopt;
}

// Reads `engine` and `medialive` of a create body: a channel's engine is chosen once, when it is made.
// `options`: why this process cannot run a local channel (local_engine_refusal, "" = it can), and MediaLive's
// default role.
static Problem apply_engine(const nlohmann::json& body, ControlPlane::Channel& channel,
                            const ControlOptions& options) {
  auto& record = channel.record;
  if (!options.local_engine_refusal.empty()) record.engine = "medialive";
  // With a relay node, a channel with a local part is made there (create_channel): not refused here.
  const std::string& local_refusal = options.local_engine_refusal;
  const bool refuses_local = !local_refusal.empty() && options.relay_node_url.empty();
  if (body.contains("engine")) {
    const auto& engine = body["engine"];
    if (engine != "local" && engine != "medialive") {
      return validation_failed("engine", "engine must be \"local\" or \"medialive\"");
    }
    if (engine == "local" && refuses_local) return validation_failed("engine", local_refusal);
    record.engine = engine.get<std::string>();
  }
  if (record.engine != "medialive") {
    if (body.contains("medialive") && !body["medialive"].is_null()) {
      return validation_failed("medialive", "medialive settings need \"engine\": \"medialive\"");
    }
    return std::nullopt;
  }
  if (!body.contains("medialive")) {
    return validation_failed("medialive",
                             "a channel on MediaLive needs its medialive settings (mode, role_arn, input)");
  }
  for (const char* local_only : {"input", "backup_input"}) {
    if (body.contains(local_only)) {
      return validation_failed(
          local_only,
          std::string("a channel on MediaLive takes its feed through medialive.input, not ") + local_only);
    }
  }
  engine::MediaLiveSpec spec;
  if (auto p = read_medialive_settings(body["medialive"], spec, options.medialive_role_arn)) return p;
  if (spec.mode == "hybrid" && refuses_local) {
    return validation_failed(
        "medialive.mode",
        "hybrid mode needs a Lunora node that takes MediaLive's relay in and pushes to the "
        "destinations: " +
            local_refusal);
  }
  channel.medialive = spec;
  // Hybrid: MediaLive's relay publishes to the channel's RTMP key; direct: no local input at all.
  record.input_protocol = "rtmp";
  return std::nullopt;
}

Outcome ControlPlane::create_channel(const nlohmann::json& body) {
  if (auto p = require_object(body)) return *p;
  if (auto p = only_fields(body, {"name", "input", "backup_input", "auto_start", "auto_stop_after_s",
                                  "public", "input_loss_slate_after_ms", "input_loss_stop_after_s",
                                  "failover_after_ms", "failback_after_s", "engine", "medialive"})) {
    return *p;
  }
  if (!body.contains("name")) return validation_failed("name", "name is required");
  // Several nodes: names and SRT ports are checked against the others' latest writes too. (Two nodes
  // creating the same name within the same few milliseconds can still both succeed: README.)
  if (clustered()) sync_from_store();
  auto channel = std::make_unique<Channel>();
  if (auto p = apply_channel_settings(body, *channel)) return *p;
  if (auto p = apply_engine(body, *channel, options_)) return *p;
  if (!channel->medialive) {
    if (auto p = apply_input(body.value("input", nlohmann::json::object()), *channel, options_.rtmp_port)) {
      return *p;
    }
  }
  if (body.contains("backup_input")) {
    if (auto p = apply_backup_input(body["backup_input"], *channel, options_.rtmp_port)) return *p;
  }
  if (!runs_here(*channel)) {
    // `lunora lambda`: valid, and its relay node's to make (and drive); its engine said out loud, as the
    // relay node's default is the local one.
    Outcome forward = to_relay_node("a channel with a local part");
    if (!forward.forward_to.empty()) {
      forward.forward_body = body;
      forward.forward_body["engine"] = channel->record.engine;
      // The function's default role too (--medialive-role-arn): the relay node may have none.
      if (channel->medialive) forward.forward_body["medialive"]["role_arn"] = channel->medialive->role_arn;
    }
    return forward;
  }
  auto& record = channel->record;
  for (const auto& [id, other] : channels_) {
    if (other->record.name == record.name) return conflict("a channel named \"" + record.name + "\" exists");
  }
  if (auto p = settle_srt_ports(
          *channel, [this](int taken) { return next_free_srt_port(taken); },
          [this](int port) { return srt_port_user(port, ""); })) {
    return *p;
  }
  record.id = new_id("ch_");
  channel->rtmp_key = random_token(18);
  channel->playback_token = random_token(18);
  record.rtmp_key_sealed = secrets_.seal(channel->rtmp_key);
  record.passphrase_sealed = secrets_.seal(channel->passphrase);
  record.created_at = creation_time();
  record.state = "idle";
  // Several nodes: the channel is saved undriven; the leases decide which node opens its ingest (below).
  channel->driven = !clustered();
  if (channel->driven) {
    auto opened = engine_.open_channel(ingest_spec(*channel));
    if (!opened) {
      engine_.close_channel(record.id, {});
      if (channel->medialive) return error_outcome(409, "medialive_unavailable", opened.error().message());
      return conflict("the channel's input cannot listen: " + opened.error().message());
    }
  }
  if (!save_channel(*channel)) {
    if (channel->driven) engine_.close_channel(record.id, {});
    return store_failed();
  }
  if (channel->medialive && channel->medialive->mode == "hybrid" && is_loopback_rtmp_url(relay_url())) {
    spdlog::warn(
        "event=medialive_relay_loopback channel={} relay={} hint=\"MediaLive cannot reach a loopback "
        "address: set --public-rtmp-url to this node's RTMP ingest as AWS reaches it\"",
        record.id, relay_url());
  }
  spdlog::info("event=channel_created id={} name=\"{}\" protocol={} engine={}", record.id, record.name,
               record.input_protocol, record.engine);
  const std::string id = record.id;
  auto* created = channel.get();
  channels_[id] = std::move(channel);
  if (clustered()) cluster_tick();  // this node takes it if it is below its share; another one otherwise
  // On MediaLive the answer says what happens now (its input and channel are being made), on one node as on
  // several (there the takeover above said it).
  if (created->driven && created->medialive) update_channel_state(*created);
  auto json = channel_json(*created);
  json["ingest"] = ingest_json(*created);
  json["ingest"].erase("ingest_url_redacted");
  if (json["ingest"]["backup"].is_object()) json["ingest"]["backup"].erase("ingest_url_redacted");
  return {201, json};
}

Outcome ControlPlane::patch_channel(const std::string& id, const nlohmann::json& body) {
  Channel* channel = find_channel_synced(id);
  if (channel == nullptr) return not_found("no channel with id " + id);
  if (auto elsewhere = forward_if_elsewhere(id)) return *elsewhere;
  if (auto p = require_object(body)) return *p;
  if (auto p = only_fields(body, {"name", "input", "backup_input", "auto_start", "auto_stop_after_s",
                                  "public", "input_loss_slate_after_ms", "input_loss_stop_after_s",
                                  "failover_after_ms", "failback_after_s"})) {
    return *p;
  }
  if (clustered()) {
    sync_from_store();  // names and SRT ports are checked against the others' latest writes too
    channel = find_channel(id);
    if (channel == nullptr) return not_found("no channel with id " + id);
  }
  if (channel->medialive && (body.contains("input") || body.contains("backup_input"))) {
    return validation_failed(
        body.contains("input") ? "input" : "backup_input",
        "a channel on MediaLive takes its feed through medialive.input, which is set when "
        "the channel is made");
  }
  Channel updated = *channel;
  if (auto p = apply_channel_settings(body, updated)) return *p;
  if (body.contains("input")) {
    if (auto p = apply_input(body["input"], updated, options_.rtmp_port)) return *p;
  }
  if (body.contains("backup_input")) {
    if (auto p = apply_backup_input(body["backup_input"], updated, options_.rtmp_port)) return *p;
  }
  auto& record = updated.record;
  for (const auto& [other_id, other] : channels_) {
    if (other_id == id) continue;
    if (other->record.name == record.name) return conflict("a channel named \"" + record.name + "\" exists");
  }
  if (auto p = settle_srt_ports(
          updated, [this](int taken) { return next_free_srt_port(taken); },
          [this, &id](int port) { return srt_port_user(port, id); })) {
    return *p;
  }
  const auto& before = channel->record;
  const bool changed = record.name != before.name || record.auto_start != before.auto_start ||
                       record.auto_stop_after_s != before.auto_stop_after_s ||
                       updated.is_public != channel->is_public ||
                       updated.input_loss_slate_after_ms != channel->input_loss_slate_after_ms ||
                       updated.input_loss_stop_after_s != channel->input_loss_stop_after_s ||
                       record.input_protocol != before.input_protocol || record.srt_port != before.srt_port ||
                       record.latency_ms != before.latency_ms || record.streamid != before.streamid ||
                       updated.passphrase != channel->passphrase || updated.backup != channel->backup ||
                       updated.failover_after_ms != channel->failover_after_ms ||
                       updated.failback_after_s != channel->failback_after_s;
  if (!changed) return {200, channel_json(*channel)};  // nothing to save, no event
  record.passphrase_sealed = secrets_.seal(updated.passphrase);
  const auto old_spec = ingest_spec(*channel);
  const auto new_spec = ingest_spec(updated);
  const bool ingest_changed =
      old_spec.protocol != new_spec.protocol || old_spec.srt_port != new_spec.srt_port ||
      old_spec.latency_ms != new_spec.latency_ms || old_spec.streamid != new_spec.streamid ||
      old_spec.passphrase != new_spec.passphrase || old_spec.backup != new_spec.backup;
  if (ingest_changed) {
    auto opened = engine_.open_channel(new_spec);
    if (!opened) {
      auto restored = engine_.open_channel(old_spec);
      channel->listen_error = restored ? "" : restored.error().message();
      return conflict("the channel's input cannot listen: " + opened.error().message());
    }
    updated.listen_error.clear();
  }
  if (!save_channel(updated)) {
    if (ingest_changed) (void)engine_.open_channel(old_spec);
    return store_failed();
  }
  // The same listeners: only the slate's or the failover's settings change (once they are saved).
  if (!ingest_changed) (void)engine_.open_channel(new_spec);
  *channel = std::move(updated);
  update_channel_state(*channel);
  return {200, channel_json(*channel)};
}

Outcome ControlPlane::delete_channel(const std::string& id, bool force) {
  Channel* channel = find_channel_synced(id);
  if (channel == nullptr) return not_found("no channel with id " + id);
  if (auto elsewhere = forward_if_elsewhere(id)) return *elsewhere;
  std::vector<Destination*> owned;
  std::vector<std::string> live;
  for (auto& [destination_id, destination] : destinations_) {
    if (destination->record.channel_id != id) continue;
    owned.push_back(destination.get());
    if (destination->record.desired_on || destination->record.status == "stopping") {
      live.push_back(destination_id);
    }
  }
  if (!live.empty() && !force) {
    auto outcome = conflict("the channel has " + std::to_string(live.size()) +
                            " live destination(s); stop them first or delete with ?force=true");
    outcome.body["error"]["destinations"] = live;
    return outcome;
  }
  // Saved first: a delete that cannot be saved (a full disk) leaves every output streaming, untouched.
  store::Change change;
  for (auto* destination : owned) {
    change.delete_destinations.push_back(destination->record.id);
    change.events.push_back({0, "destination_deleted",
                             nlohmann::json{{"id", destination->record.id}, {"channel_id", id}}.dump(),
                             now_ms()});
  }
  change.delete_channels.push_back(id);
  change.events.push_back({0, "channel_deleted", nlohmann::json{{"id", id}}.dump(), now_ms()});
  auto committed = store_.commit(change);
  if (!committed) {
    last_store_error_ = committed.error().message();
    spdlog::error("event=store_write_failed channel={} error=\"{}\"", id, committed.error().message());
    return store_failed();
  }
  // Every output off the hub now, closed properly in the background.
  for (auto* destination : owned) engine_.stop_output(id, destination->record.id, {});
  engine_.close_channel(id, {});  // its ingest listener and RTMP key
  if (!channel->slate_image.empty()) (void)store_.put_setting("slate_image:" + id, "");
  if (clustered()) (void)store_.leases()->release("channel:" + id, options_.cluster->node_id);
  for (auto* destination : owned) destinations_.erase(destination->record.id);
  spdlog::info("event=channel_deleted id={} destinations={}", id, owned.size());
  channels_.erase(id);
  publish(change.events, committed->event_ids);
  return {204, nullptr};
}

Outcome ControlPlane::start_channel(const std::string& id) {
  Channel* channel = find_channel_synced(id);
  if (channel == nullptr) return not_found("no channel with id " + id);
  if (auto elsewhere = forward_if_elsewhere(id)) return *elsewhere;
  if (!channel->manual_start) {
    Channel updated = *channel;
    updated.manual_start = true;
    if (!save_channel(updated)) return store_failed();
    *channel = std::move(updated);
  }
  update_channel_state(*channel);
  return {202, channel_json(*channel)};
}

Outcome ControlPlane::switch_input(const std::string& id, const nlohmann::json& body) {
  Channel* channel = find_channel_synced(id);
  if (channel == nullptr) return not_found("no channel with id " + id);
  if (auto elsewhere = forward_if_elsewhere(id)) return *elsewhere;
  if (!body.is_null()) {
    if (auto p = require_object(body)) return *p;
    if (auto p = only_fields(body, {"to"})) return *p;
  }
  if (!channel->backup) return conflict("the channel has no backup input (set backup_input first)");
  std::string to = channel->input.active == "primary" ? "backup" : "primary";
  if (body.is_object() && body.contains("to")) {
    const auto& value = body["to"];
    if (!value.is_string() || (value != "primary" && value != "backup")) {
      return validation_failed("to", "to must be \"primary\" or \"backup\"");
    }
    to = value.get<std::string>();
  }
  auto switched = engine_.switch_input(id, to);
  if (!switched) return conflict(switched.error().message());
  spdlog::info("event=input_switch_requested channel={} to={}", id, to);
  channel->input.switching_to = to == channel->input.active ? "" : to;
  auto json = channel_json(*channel);
  return {202, json};
}

Outcome ControlPlane::stop_channel(const std::string& id) {
  Channel* channel = find_channel_synced(id);
  if (channel == nullptr) return not_found("no channel with id " + id);
  if (auto elsewhere = forward_if_elsewhere(id)) return *elsewhere;
  for (auto& [destination_id, destination] : destinations_) {
    if (destination->record.channel_id == id && destination->record.desired_on) {
      // Stopping the whole channel: no restart is needed in the end, whatever order the stops come in.
      Outcome stopped = stop_destination(destination_id, true);
      if (stopped.status >= 400) return stopped;
    }
  }
  if (channel->manual_start) {
    Channel updated = *channel;
    updated.manual_start = false;
    if (!save_channel(updated)) return store_failed();
    *channel = std::move(updated);
  }
  channel->idle_since_ms =
      now_ms() - int64_t{channel->record.auto_stop_after_s} * 1000;  // no grace when asked
  update_channel_state(*channel);
  return {202, channel_json(*channel)};
}

}  // namespace lunora::control
