// Channels on MediaLive (issue 8): their state from MediaLive's, the restarts a direct channel's changes
// need, and what the API shows of them.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

#include "control/medialive_settings.hpp"
#include "control/model.hpp"
#include "core/redact.hpp"

namespace lunora::control {
namespace {

// Whether the MediaLive channel may run, so that an edit means a restart. The last look can be seconds old:
// a start underway counts. (A channel not looked at yet does not: should it turn out to run, the change waits
// as restart_pending, and the same request with ?allow_restart=true lets it through.)
bool may_run(const engine::MediaLiveReport& ml) {
  if (ml.state == "STARTING" || ml.state == "RUNNING" || ml.state == "RECOVERING") return true;
  return ml.activity == "starting" || ml.activity == "restarting";
}

// Lunora's channel state and its message, from MediaLive's.
std::pair<std::string, std::string> state_from(const engine::MediaLiveReport& ml, bool wanted,
                                               const std::string& open_error) {
  const std::string channel = "MediaLive channel " + ml.channel_id;
  if (!open_error.empty()) return {"error", open_error};  // MediaLive is not available on this node
  if (ml.phase == "failed") return {"error", ml.error};
  if (ml.phase != "ready" || ml.state.empty()) {
    return {wanted ? "starting" : "idle",
            ml.phase == "ready" ? "" : "making the MediaLive input and channel"};
  }
  if (ml.state == "RECOVERING") {
    // DescribeChannel does not carry the alert's text: the state is what AWS says.
    return {"error", channel + " is RECOVERING: a pipeline failed and MediaLive is recovering it"};
  }
  if (!ml.error.empty() && ml.activity.empty() && wanted && ml.state != "RUNNING") return {"error", ml.error};
  if (ml.state == "RUNNING") {
    if (ml.restart_pending) return {"running", "changes wait for a restart (?allow_restart=true)"};
    if (ml.activity == "restarting") return {"running", "restarts in a moment to apply the changes"};
    if (ml.activity == "stopping") return {"stopping", channel + " is stopping"};
    return {wanted ? "running" : "stopping", ""};
  }
  if (ml.state == "STOPPING") {
    if (ml.activity == "restarting") return {"starting", channel + " restarts to apply the changes"};
    return {"stopping", channel + " is STOPPING"};
  }
  if (ml.state == "IDLE") {
    if (!wanted && ml.activity.empty()) return {"idle", ""};
    return {wanted ? "starting" : "stopping",
            channel + " is IDLE" + (ml.activity.empty() ? "" : ", " + ml.activity)};
  }
  if (ml.state == "STARTING" || ml.state == "CREATING" || ml.state == "UPDATING") {
    return {"starting", channel + " is " + ml.state};
  }
  return {"error", channel + " is " + ml.state};
}

}  // namespace

std::string ControlPlane::relay_url() const {
  if (!options_.public_rtmp_url.empty()) return options_.public_rtmp_url;
  return "rtmp://" + options_.public_host + ":" + std::to_string(options_.rtmp_port) + "/" +
         options_.rtmp_app;
}

void ControlPlane::update_medialive_state(Channel& channel) {
  const auto& ml = channel.medialive_report;
  engine_.set_started(channel.record.id, channel.manual_start);
  // What MediaLive made is recorded: a restart of Lunora (or another node) drives the same channel.
  if (ml.phase == "ready" && !ml.channel_id.empty() &&
      (ml.channel_id != channel.medialive->channel_id || ml.input_id != channel.medialive->input_id)) {
    Channel updated = channel;
    updated.medialive->channel_id = ml.channel_id;
    updated.medialive->input_id = ml.input_id;
    if (save_channel(updated)) {
      spdlog::info("event=medialive_resources channel={} medialive_channel={} input={}", channel.record.id,
                   ml.channel_id, ml.input_id);
      channel = std::move(updated);
    }
  }
  bool any_on = false;
  for (const auto& [id, destination] : destinations_) {
    any_on =
        any_on || (destination->record.channel_id == channel.record.id && destination->record.desired_on);
  }
  const auto [state, message] = state_from(ml, channel.manual_start || any_on, channel.listen_error);
  if (state == channel.record.state && message == channel.record.state_message) return;
  Channel updated = channel;
  updated.record.state = state;
  updated.record.state_message = message;
  if (save_channel(updated)) {
    spdlog::info("event=channel_state id={} state={} medialive_state={}", channel.record.id, state, ml.state);
    channel.record = updated.record;
  }
}

std::optional<Outcome> ControlPlane::refuse_restart(const Destination& destination, bool on_after,
                                                    bool allow_restart, bool new_endpoint) {
  const Channel* channel = find_channel(destination.record.channel_id);
  if (channel == nullptr || !channel->medialive || channel->medialive->mode != "direct") return std::nullopt;
  const auto& ml = channel->medialive_report;
  std::vector<std::string> after;
  std::vector<std::string> live;
  for (const auto& [id, other] : destinations_) {
    if (other->record.channel_id != channel->record.id) continue;
    const bool mine = id == destination.record.id;
    if (mine ? on_after : other->record.desired_on) after.push_back(id);
    if (!mine && other->record.desired_on) live.push_back(id);
  }
  auto pushed = ml.pushes;
  std::sort(pushed.begin(), pushed.end());
  const bool runs_after = !after.empty() || channel->manual_start;
  // A restart already coming (allowed, waiting out its batch window) takes this change along.
  if (!may_run(ml) || !runs_after || (after == pushed && !new_endpoint) ||
      (ml.state == "RUNNING" && ml.activity == "restarting")) {
    return std::nullopt;
  }
  if (allow_restart) {
    spdlog::info("event=medialive_restart_allowed channel={} destination={} live={}", channel->record.id,
                 destination.record.id, live.size());
    engine_.allow_restart(channel->record.id);
    return std::nullopt;
  }
  Outcome refused = error_outcome(
      409, "restart_required",
      "MediaLive channel " + channel->medialive->channel_id + " is " +
          (ml.state.empty() ? std::string("not looked at yet") : ml.state) +
          " and MediaLive edits only an IDLE channel: this change stops and starts it, which interrupts " +
          std::to_string(live.size()) +
          " live destination(s) and its HLS output for a minute or more. Send it again with "
          "?allow_restart=true to go ahead (changes within the batch window share one restart).");
  refused.body["error"]["destinations"] = live;
  return refused;
}

void ControlPlane::allow_pending_restart(const std::string& channel_id) {
  const Channel* channel = find_channel(channel_id);
  if (channel == nullptr || !channel->medialive || !channel->medialive_report.restart_pending) return;
  spdlog::info("event=medialive_restart_allowed channel={} pending=true", channel_id);
  engine_.allow_restart(channel_id);
}

std::string ControlPlane::relay_url_hint(const Channel& channel) const {
  if (!drives(channel) && !channel.relay_url_seen.empty()) return channel.relay_url_seen;
  return relay_url() + "/" + stream_key_hint(channel.rtmp_key);
}

nlohmann::json ControlPlane::medialive_json(const Channel& channel) const {
  if (!channel.medialive) return nullptr;
  const auto& ml = channel.medialive_report;
  nlohmann::json json = medialive_settings_json(*channel.medialive);
  // The SRT stream id may be a secret, as a local channel's streamid is: whole only in .../ingest.
  if (json["input"].contains("stream_id")) {
    const std::string stream_id = json["input"]["stream_id"];
    json["input"]["stream_id"] =
        stream_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(stream_key_hint(stream_id));
  }
  if (!ml.channel_id.empty()) json["channel_id"] = ml.channel_id;
  if (!ml.input_id.empty()) json["input_id"] = ml.input_id;
  const auto or_null = [](const std::string& text) {
    return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
  };
  json["phase"] = ml.phase.empty() ? "provisioning" : ml.phase;
  json["state"] = or_null(ml.state);
  json["activity"] = or_null(ml.activity);
  json["restart_pending"] = ml.restart_pending;
  json["error"] = or_null(ml.error);
  json["outputs"] = ml.pushes;
  json["relay_url"] =
      channel.medialive->mode == "hybrid" ? nlohmann::json(relay_url_hint(channel)) : nlohmann::json(nullptr);
  json["cost"] = {{"running", ml.running},
                  {"running_seconds", std::llround(ml.running_seconds)},
                  {"billed_minutes", ml.billed_minutes},
                  {"estimated_usd", std::round(ml.estimated_usd * 100.0) / 100.0},
                  {"runs", ml.runs},
                  {"minimum_left_seconds", ml.minimum_left_seconds}};
  return json;
}

nlohmann::json ControlPlane::medialive_ingest_json(const Channel& channel) const {
  if (!channel.medialive) return nullptr;
  const auto& spec = *channel.medialive;
  const auto& urls = channel.medialive_report.input_urls;
  if (spec.input_type == "SRT_CALLER" && !spec.srt_address.empty()) {
    const std::string listener = "srt://" + spec.srt_address + ":" + std::to_string(spec.srt_port);
    return {{"type", spec.input_type},
            {"ingest_url", nullptr},
            {"input_urls", urls},
            {"srt_listener", listener},
            {"note", "MediaLive calls the encoder's SRT listener at " + listener +
                         ": set the encoder to listen there (SRT listener mode)"}};
  }
  if (spec.input_type == "SRT_CALLER") {  // no settings of Lunora's: an adopted channel's own input
    return {{"type", nullptr},
            {"ingest_url", urls.empty() ? nlohmann::json(nullptr) : nlohmann::json(urls.front())},
            {"input_urls", urls},
            {"srt_listener", nullptr},
            {"note", "the adopted channel keeps its own input: its settings are in MediaLive"}};
  }
  return {{"type", spec.input_type},
          {"ingest_url", urls.empty() ? nlohmann::json(nullptr) : nlohmann::json(urls.front())},
          {"input_urls", urls},
          {"srt_listener", nullptr},
          {"note", urls.empty() ? "the push URL shows once MediaLive's input is made"
                                : "the encoder pushes RTMP to MediaLive's input"}};
}

}  // namespace lunora::control
