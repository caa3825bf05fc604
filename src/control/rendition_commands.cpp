// Renditions (issue 9): a channel's encoding profiles. A destination names one (or none: the input as it
// comes); the engine encodes each profile once while at least one of its destinations is on. Here: the
// commands, the JSON, the platform checks and the metrics.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

#include "control/model.hpp"
#include "control/platform_checks.hpp"
#include "control/platforms.hpp"
#include "control/validation.hpp"

namespace lunora::control {
namespace {

constexpr size_t kMaxRenditions = 8;  // each one is a whole encoder: more would not run on one machine

double round1(double value) {
  return std::round(value * 10.0) / 10.0;
}

double round2(double value) {
  return std::round(value * 100.0) / 100.0;
}

Problem check_number(const nlohmann::json& value, const std::string& field, double min, double max) {
  if (!value.is_number()) return validation_failed(field, field + " must be a number");
  const double number = value.get<double>();
  if (!(number >= min && number <= max)) {
    return validation_failed(field, fmt::format("{} must be between {:g} and {:g}", field, min, max));
  }
  return std::nullopt;
}

Problem check_rendition_name(const nlohmann::json& value) {
  if (auto p = check_string(value, "name", 40)) return p;
  const auto& name = value.get_ref<const std::string&>();
  const bool fine = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
  });
  if (!fine) {
    return validation_failed("name",
                             "name must be 1 to 40 letters, digits, '-', '_' or '.' (it is part of URLs)");
  }
  return std::nullopt;
}

// The body's values onto `spec` (the fields it has), each checked; then the whole profile as the encoder
// will take it.
Problem read_rendition(const nlohmann::json& body, engine::RenditionSpec& spec) {
  if (body.contains("width")) {
    if (auto p = check_int(body["width"], "width", 16, 3840)) return p;
    spec.width = body["width"].get<int>();
  }
  if (body.contains("height")) {
    if (auto p = check_int(body["height"], "height", 16, 2160)) return p;
    spec.height = body["height"].get<int>();
  }
  if (body.contains("fps")) {
    if (auto p = check_number(body["fps"], "fps", 1, 120)) return p;
    spec.fps = body["fps"].get<double>();
  }
  if (body.contains("video_bitrate_kbps")) {
    if (auto p = check_int(body["video_bitrate_kbps"], "video_bitrate_kbps", 100, 50000)) return p;
    spec.video_bitrate_kbps = body["video_bitrate_kbps"].get<int>();
  }
  if (body.contains("audio_bitrate_kbps")) {
    const auto& audio = body["audio_bitrate_kbps"];
    if (!audio.is_null() &&
        (!audio.is_number_integer() ||
         (audio.get<int64_t>() != 0 && (audio.get<int64_t>() < 32 || audio.get<int64_t>() > 512)))) {
      return validation_failed(
          "audio_bitrate_kbps",
          "audio_bitrate_kbps must be between 32 and 512, or null to pass the input's audio "
          "through as it is");
    }
    spec.audio_bitrate_kbps = audio.is_null() ? 0 : audio.get<int>();
  }
  if (body.contains("keyframe_interval_s")) {
    if (auto p = check_number(body["keyframe_interval_s"], "keyframe_interval_s", 0.5, 10)) return p;
    spec.keyframe_interval_s = body["keyframe_interval_s"].get<double>();
  }
  if (body.contains("preset")) {
    if (auto p = check_string(body["preset"], "preset", 20)) return p;
    spec.preset = body["preset"].get<std::string>();
  }
  if (auto valid = engine::validate_rendition(spec); !valid) {
    // The encoder's messages start with the field they are about.
    const std::string& message = valid.error().message();
    return validation_failed(message.substr(0, message.find(' ')), message);
  }
  return std::nullopt;
}

const engine::RenditionSpec* find_rendition(const ControlPlane::Channel& channel, const std::string& name) {
  auto it = std::find_if(channel.renditions.begin(), channel.renditions.end(),
                         [&name](const engine::RenditionSpec& r) { return r.name == name; });
  return it == channel.renditions.end() ? nullptr : &*it;
}

const engine::RenditionReport* find_report(const ControlPlane::Channel& channel, const std::string& name) {
  auto it = std::find_if(channel.rendition_reports.begin(), channel.rendition_reports.end(),
                         [&name](const engine::RenditionReport& r) { return r.name == name; });
  return it == channel.rendition_reports.end() ? nullptr : &*it;
}

bool direct_medialive(const ControlPlane::Channel& channel) {
  return channel.medialive && channel.medialive->mode == "direct";
}

std::string rendition_state(const engine::RenditionReport* report) {
  if (report == nullptr) return "idle";
  if (!report->error.empty()) return "error";
  if (report->overloaded) return "overloaded";
  return report->frames_out == 0 ? "starting" : "running";
}

}  // namespace

bool renditions_moved(const std::vector<engine::RenditionReport>& before,
                      const std::vector<engine::RenditionReport>& after) {
  if (before.size() != after.size()) return true;
  for (size_t i = 0; i < before.size(); ++i) {
    const auto& a = before[i];
    const auto& b = after[i];
    if (a.name != b.name || a.outputs != b.outputs || a.overloaded != b.overloaded || a.error != b.error ||
        a.preset != b.preset || rendition_state(&a) != rendition_state(&b)) {
      return true;
    }
  }
  return false;
}

engine::RenditionSpec rendition_from_stored(const nlohmann::json& stored) {
  engine::RenditionSpec spec;
  spec.name = stored.value("name", std::string());
  spec.width = stored.value("width", spec.width);
  spec.height = stored.value("height", spec.height);
  spec.fps = stored.value("fps", spec.fps);
  spec.video_bitrate_kbps = stored.value("video_bitrate_kbps", spec.video_bitrate_kbps);
  spec.audio_bitrate_kbps = stored.value("audio_bitrate_kbps", spec.audio_bitrate_kbps);
  spec.keyframe_interval_s = stored.value("keyframe_interval_s", spec.keyframe_interval_s);
  spec.preset = stored.value("preset", spec.preset);
  return spec;
}

nlohmann::json rendition_stored_json(const engine::RenditionSpec& spec) {
  return {{"name", spec.name},
          {"width", spec.width},
          {"height", spec.height},
          {"fps", spec.fps},
          {"video_bitrate_kbps", spec.video_bitrate_kbps},
          {"audio_bitrate_kbps", spec.audio_bitrate_kbps},
          {"keyframe_interval_s", spec.keyframe_interval_s},
          {"preset", spec.preset}};
}

nlohmann::json ControlPlane::rendition_json(const Channel& channel, const engine::RenditionSpec& spec) const {
  nlohmann::json json = rendition_stored_json(spec);
  json["audio_bitrate_kbps"] =
      spec.audio_bitrate_kbps == 0 ? nlohmann::json(nullptr) : nlohmann::json(spec.audio_bitrate_kbps);
  nlohmann::json users = nlohmann::json::array();
  int on = 0;
  for (const auto& [id, destination] : destinations_) {
    if (destination->record.channel_id != channel.record.id || destination->rendition != spec.name) continue;
    users.push_back(id);
    on += destination->record.desired_on ? 1 : 0;
  }
  json["destinations"] = users;
  json["destinations_on"] = on;
  const engine::RenditionReport* report = find_report(channel, spec.name);
  json["state"] = rendition_state(report);
  json["error"] =
      report == nullptr || report->error.empty() ? nlohmann::json(nullptr) : nlohmann::json(report->error);
  json["stats"] = report == nullptr
                      ? nlohmann::json(nullptr)
                      : nlohmann::json{{"encoders", 1},
                                       {"outputs", report->outputs},
                                       {"fps_in", round1(report->fps_in)},
                                       {"fps_out", round1(report->fps_out)},
                                       {"speed", round2(report->speed)},
                                       {"cpu_percent", round1(report->cpu_percent)},
                                       {"preset", report->preset},
                                       {"preset_changes", report->preset_changes},
                                       {"audio", report->audio.empty() ? nlohmann::json(nullptr)
                                                                       : nlohmann::json(report->audio)},
                                       {"frames_in", report->frames_in},
                                       {"frames_out", report->frames_out},
                                       {"dropped_packets", report->dropped_packets}};
  return json;
}

nlohmann::json ControlPlane::renditions_json(const Channel& channel) const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& spec : channel.renditions) list.push_back(rendition_json(channel, spec));
  return list;
}

nlohmann::json ControlPlane::rendition_error_json(const Channel& channel) const {
  for (const auto& report : channel.rendition_reports) {
    if (report.overloaded) {
      return {{"code", "rendition_overloaded"},
              {"rendition", report.name},
              {"message",
               fmt::format("rendition \"{}\" cannot keep up with real time even at x264's fastest preset "
                           "({} at {:.2f}x real time): its destinations stutter. Lower its size, frame "
                           "rate or bitrate, or run fewer renditions on this machine",
                           report.name, report.preset, report.speed)}};
    }
  }
  for (const auto& report : channel.rendition_reports) {
    if (!report.error.empty()) {
      return {{"code", "rendition_failed"},
              {"rendition", report.name},
              {"message", fmt::format("rendition \"{}\": {}", report.name, report.error)}};
    }
  }
  return nullptr;
}

nlohmann::json ControlPlane::destination_warnings(const Destination& destination) const {
  const auto channel_it = channels_.find(destination.record.channel_id);
  const Platform* platform = find_platform(destination.record.platform);
  if (channel_it == channels_.end() || platform == nullptr) return nlohmann::json::array();
  const Channel& channel = *channel_it->second;
  if (direct_medialive(channel)) return nlohmann::json::array();  // MediaLive's own encode
  const auto& in = channel.input;
  const engine::InputHealth& on_air = in.active == "backup" && in.backup ? *in.backup : in;
  StreamFacts facts;
  if (const auto* spec = find_rendition(channel, destination.rendition)) {
    facts.rendition = true;
    facts.video_codec = "h264";
    facts.audio_codec = on_air.audio_codec;
    facts.video_kbps = spec->video_bitrate_kbps;
    facts.audio_kbps = spec->audio_bitrate_kbps;
    facts.keyframe_interval_s = spec->keyframe_interval_s;
    facts.width = spec->width;
    facts.height = spec->height;
    facts.fps = spec->fps;
  } else {
    if (!on_air.connected) return nlohmann::json::array();  // nothing to judge yet
    facts.video_codec = on_air.video_codec;
    facts.audio_codec = on_air.audio_codec;
    facts.total_kbps = on_air.bitrate_kbps;
    facts.keyframe_interval_s = on_air.keyframe_interval_s;
    facts.width = on_air.width;
    facts.height = on_air.height;
    facts.fps = on_air.fps;
  }
  return platform_warnings(*platform, facts);
}

Problem ControlPlane::check_destination_rendition(const Channel& channel, const nlohmann::json& value,
                                                  std::string& name) const {
  if (value.is_null()) {
    name.clear();
    return std::nullopt;
  }
  if (!value.is_string()) {
    return validation_failed(
        "rendition",
        "rendition must be null (the input as it comes) or the name of one of the channel's "
        "renditions");
  }
  const auto& wanted = value.get_ref<const std::string&>();
  if (direct_medialive(channel)) {
    return validation_failed(
        "rendition", "a channel on MediaLive in direct mode is encoded by MediaLive: it has no renditions");
  }
  if (find_rendition(channel, wanted) == nullptr) {
    std::string names;
    for (const auto& r : channel.renditions) names += (names.empty() ? "" : ", ") + r.name;
    return validation_failed(
        "rendition", fmt::format("channel \"{}\" has no rendition \"{}\"; {}", channel.record.name, wanted,
                                 names.empty() ? "it has none yet (POST /api/v1/channels/" +
                                                     channel.record.id + "/renditions)"
                                               : "its renditions: " + names));
  }
  name = wanted;
  return std::nullopt;
}

void ControlPlane::redrive_rendition_users(const std::string& channel_id, const std::string& name) {
  for (auto& [id, destination] : destinations_) {
    if (destination->record.channel_id != channel_id || destination->rendition != name ||
        !destination->record.desired_on) {
      continue;
    }
    // The engine sees another profile (or none) for the output and reconnects it; the others never notice.
    destination->in_engine = false;
    drive_destination(*destination);
  }
}

Outcome ControlPlane::list_renditions(const std::string& channel_id) {
  const Channel* channel = find_channel_synced(channel_id);
  if (channel == nullptr) return not_found("no channel with id " + channel_id);
  nlohmann::json suggestions = nlohmann::json::array();
  for (const auto& platform : platforms()) {
    nlohmann::json suggestion = rendition_suggestion_json(platform.suggested_rendition);
    suggestion["platform"] = platform.id;
    suggestions.push_back(std::move(suggestion));
  }
  return {200, {{"renditions", renditions_json(*channel)}, {"suggestions", suggestions}}};
}

Outcome ControlPlane::get_rendition(const std::string& channel_id, const std::string& name) {
  const Channel* channel = find_channel_synced(channel_id);
  if (channel == nullptr) return not_found("no channel with id " + channel_id);
  const auto* spec = find_rendition(*channel, name);
  if (spec == nullptr) return not_found("channel " + channel_id + " has no rendition \"" + name + "\"");
  return {200, rendition_json(*channel, *spec)};
}

Outcome ControlPlane::create_rendition(const std::string& channel_id, const nlohmann::json& body) {
  Channel* channel = find_channel_synced(channel_id);
  if (channel == nullptr) return not_found("no channel with id " + channel_id);
  if (auto elsewhere = forward_if_elsewhere(channel_id)) return *elsewhere;
  if (auto p = require_object(body)) return *p;
  if (auto p = only_fields(body, {"name", "from_platform", "width", "height", "fps", "video_bitrate_kbps",
                                  "audio_bitrate_kbps", "keyframe_interval_s", "preset"})) {
    return *p;
  }
  if (direct_medialive(*channel)) {
    return conflict(
        "channel \"" + channel->record.name +
        "\" runs on MediaLive in direct mode: MediaLive encodes it, and renditions run on Lunora's own "
        "engine (a local or hybrid channel)");
  }
  engine::RenditionSpec spec;
  if (body.contains("from_platform")) {
    const Platform* platform =
        body["from_platform"].is_string() ? find_platform(body["from_platform"].get<std::string>()) : nullptr;
    if (platform == nullptr) {
      return validation_failed("from_platform", "from_platform must name a platform (GET /api/v1/platforms)");
    }
    spec = rendition_from_stored(rendition_suggestion_json(platform->suggested_rendition));
  } else if (!body.contains("name")) {
    return validation_failed("name", "name is required (or from_platform, for a platform's suggestion)");
  }
  if (body.contains("name")) {
    if (auto p = check_rendition_name(body["name"])) return *p;
    spec.name = body["name"].get<std::string>();
  }
  if (auto p = read_rendition(body, spec)) return *p;
  if (find_rendition(*channel, spec.name) != nullptr) {
    return error_outcome(
        409, "conflict",
        "channel \"" + channel->record.name + "\" already has a rendition \"" + spec.name + "\"", "name");
  }
  if (channel->renditions.size() >= kMaxRenditions) {
    return conflict(
        fmt::format("a channel has at most {} renditions (each is a whole encoder)", kMaxRenditions));
  }
  Channel updated = *channel;
  updated.renditions.push_back(spec);
  if (!save_channel(updated)) return store_failed();
  *channel = std::move(updated);
  spdlog::info("event=rendition_created channel={} rendition={} size={}x{} fps={} video_kbps={}", channel_id,
               spec.name, spec.width, spec.height, spec.fps, spec.video_bitrate_kbps);
  return {201, rendition_json(*channel, spec)};
}

Outcome ControlPlane::patch_rendition(const std::string& channel_id, const std::string& name,
                                      const nlohmann::json& body) {
  Channel* channel = find_channel_synced(channel_id);
  if (channel == nullptr) return not_found("no channel with id " + channel_id);
  if (auto elsewhere = forward_if_elsewhere(channel_id)) return *elsewhere;
  const auto* current = find_rendition(*channel, name);
  if (current == nullptr) return not_found("channel " + channel_id + " has no rendition \"" + name + "\"");
  if (auto p = require_object(body)) return *p;
  if (auto p = only_fields(body, {"name", "width", "height", "fps", "video_bitrate_kbps",
                                  "audio_bitrate_kbps", "keyframe_interval_s", "preset"})) {
    return *p;
  }
  if (body.contains("name") && body["name"] != name) {
    return validation_failed("name",
                             "a rendition's name does not change: make one with the new name, move its "
                             "destinations to it, then delete this one");
  }
  engine::RenditionSpec spec = *current;
  if (auto p = read_rendition(body, spec)) return *p;
  if (spec == *current) return {200, rendition_json(*channel, spec)};
  Channel updated = *channel;
  *std::find_if(updated.renditions.begin(), updated.renditions.end(),
                [&name](const engine::RenditionSpec& r) { return r.name == name; }) = spec;
  if (!save_channel(updated)) return store_failed();
  *channel = std::move(updated);
  spdlog::info("event=rendition_updated channel={} rendition={} size={}x{} fps={} video_kbps={}", channel_id,
               name, spec.width, spec.height, spec.fps, spec.video_bitrate_kbps);
  // Its destinations' `warnings` follow the profile: announced (their records did not change).
  store::Change change;
  for (const auto& [id, destination] : destinations_) {
    if (destination->record.channel_id == channel_id && destination->rendition == name) {
      change.events.push_back(destination_event(*destination));
    }
  }
  if (!change.events.empty()) commit(std::move(change));
  redrive_rendition_users(channel_id, name);
  return {200, rendition_json(*channel, spec)};
}

Outcome ControlPlane::delete_rendition(const std::string& channel_id, const std::string& name, bool force) {
  Channel* channel = find_channel_synced(channel_id);
  if (channel == nullptr) return not_found("no channel with id " + channel_id);
  if (auto elsewhere = forward_if_elsewhere(channel_id)) return *elsewhere;
  if (find_rendition(*channel, name) == nullptr) {
    return not_found("channel " + channel_id + " has no rendition \"" + name + "\"");
  }
  std::vector<Destination*> users;
  for (auto& [id, destination] : destinations_) {
    if (destination->record.channel_id == channel_id && destination->rendition == name) {
      users.push_back(destination.get());
    }
  }
  if (!users.empty() && !force) {
    nlohmann::json listed = nlohmann::json::array();
    std::string names;
    for (const auto* user : users) {
      listed.push_back(user->record.id);  // ids, as restart_required's
      names += (names.empty() ? "" : ", ") + user->record.name;
    }
    Outcome refused =
        error_outcome(409, "rendition_in_use",
                      fmt::format("rendition \"{}\" is used by {} destination(s): {}. Give them "
                                  "another rendition first, or delete with ?force=true: they then "
                                  "send the input as it comes",
                                  name, users.size(), names));
    refused.body["error"]["destinations"] = listed;
    return refused;
  }
  // Forced: its destinations go back to the input as it comes (those that are on reconnect). Each one is
  // saved and re-driven in turn: a write that fails midway leaves every destination as its record says.
  for (auto* user : users) {
    Destination updated = *user;
    updated.rendition.clear();
    if (!save_destination(updated)) return store_failed();
    *user = std::move(updated);
    if (user->record.desired_on) {
      user->in_engine = false;
      drive_destination(*user);
    }
  }
  Channel updated = *channel;
  std::erase_if(updated.renditions, [&name](const engine::RenditionSpec& r) { return r.name == name; });
  if (!save_channel(updated)) return store_failed();
  *channel = std::move(updated);
  spdlog::info("event=rendition_deleted channel={} rendition={} destinations_moved={}", channel_id, name,
               users.size());
  return {204, nullptr};
}

void ControlPlane::rendition_metrics(std::string& out) const {
  size_t running = 0;
  for (const auto& [id, channel] : channels_) running += channel->rendition_reports.size();
  out +=
      "# HELP lunora_renditions_running encoders running (one per rendition in use, however many "
      "destinations use it)\n# TYPE lunora_renditions_running gauge\n";
  out += fmt::format("lunora_renditions_running {}\n", running);
  struct Series {
    const char* name;
    const char* type;
    const char* help;
    double (*value)(const engine::RenditionReport*);
  };
  static constexpr Series kSeries[] = {
      {"lunora_rendition_running", "gauge", "1 while the rendition's encoder runs",
       [](const engine::RenditionReport* r) { return r != nullptr ? 1.0 : 0.0; }},
      {"lunora_rendition_outputs", "gauge", "destinations the rendition's one encoder feeds",
       [](const engine::RenditionReport* r) { return r != nullptr ? r->outputs : 0.0; }},
      {"lunora_rendition_fps_in", "gauge", "frames decoded per second of media",
       [](const engine::RenditionReport* r) { return r != nullptr ? r->fps_in : 0.0; }},
      {"lunora_rendition_fps_out", "gauge", "frames encoded per second of media",
       [](const engine::RenditionReport* r) { return r != nullptr ? r->fps_out : 0.0; }},
      {"lunora_rendition_speed", "gauge", "encode speed, times real time",
       [](const engine::RenditionReport* r) { return r != nullptr ? r->speed : 0.0; }},
      {"lunora_rendition_cpu_percent", "gauge", "CPU of the rendition's threads, percent of one core",
       [](const engine::RenditionReport* r) { return r != nullptr ? r->cpu_percent : 0.0; }},
      {"lunora_rendition_cpu_seconds_total", "counter", "CPU seconds of the rendition's threads",
       [](const engine::RenditionReport* r) { return r != nullptr ? r->cpu_seconds : 0.0; }},
      {"lunora_rendition_frames_encoded_total", "counter", "frames encoded since the encoder started",
       [](const engine::RenditionReport* r) {
         return r != nullptr ? static_cast<double>(r->frames_out) : 0.0;
       }},
      {"lunora_rendition_dropped_packets_total", "counter", "packets dropped because the encoder fell behind",
       [](const engine::RenditionReport* r) {
         return r != nullptr ? static_cast<double>(r->dropped_packets) : 0.0;
       }},
      {"lunora_rendition_overloaded", "gauge",
       "1 while the encoder cannot keep real time at its fastest preset",
       [](const engine::RenditionReport* r) { return r != nullptr && r->overloaded ? 1.0 : 0.0; }},
  };
  for (const auto& series : kSeries) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", series.name, series.help, series.name, series.type);
    for (const auto& [id, channel] : channels_) {
      for (const auto& spec : channel->renditions) {
        out += fmt::format("{}{{channel_id=\"{}\",rendition=\"{}\"}} {:g}\n", series.name, id, spec.name,
                           series.value(find_report(*channel, spec.name)));
      }
    }
  }
}

}  // namespace lunora::control
