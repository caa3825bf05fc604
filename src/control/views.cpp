// The JSON a user sees (issue 3's contract): snake_case, RFC 3339 times, secrets only as hints.
#include <cmath>

#include "control/model.hpp"
#include "control/time_format.hpp"
#include "core/redact.hpp"

namespace lunora::control {
namespace {

nlohmann::json time_or_null(int64_t ms) {
  return ms == 0 ? nlohmann::json(nullptr) : nlohmann::json(rfc3339(ms));
}

double round1(double value) {
  return std::round(value * 10.0) / 10.0;
}

double round2(double value) {
  return std::round(value * 100.0) / 100.0;
}

nlohmann::json string_or_null(const std::string& text) {
  return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}

nlohmann::json time_point_or_null(const std::optional<std::chrono::system_clock::time_point>& at) {
  if (!at) return nullptr;
  return rfc3339(std::chrono::duration_cast<std::chrono::milliseconds>(at->time_since_epoch()).count());
}

// One input's listener and publisher, as the channel's `input` and `backup_input` show them.
void add_health(nlohmann::json& json, const engine::InputHealth& in, bool listening) {
  json["listening"] = listening;
  json["connected"] = in.connected;
  json["connected_protocol"] = string_or_null(in.protocol);
  json["delivering"] = in.delivering;
  json["bitrate_kbps"] = round1(in.bitrate_kbps);
  json["video"] = in.video_codec.empty()
                      ? nlohmann::json(nullptr)
                      : nlohmann::json{{"codec", in.video_codec},
                                       {"width", in.width},
                                       {"height", in.height},
                                       {"fps", round1(in.fps)},
                                       {"keyframe_interval_s", round2(in.keyframe_interval_s)}};
  json["audio"] = in.audio_codec.empty() ? nlohmann::json(nullptr)
                                         : nlohmann::json{{"codec", in.audio_codec},
                                                          {"sample_rate", in.sample_rate},
                                                          {"channels", in.channels}};
  json["connected_since"] = time_point_or_null(in.connected_since);
}

}  // namespace

nlohmann::json ControlPlane::backup_input_json(const Channel& channel) const {
  if (!channel.backup) return nullptr;
  const auto& backup = *channel.backup;
  const bool srt = backup.protocol == "srt";
  const auto ingest = ingest_json(channel)["backup"];
  nlohmann::json json = {
      {"protocol", backup.protocol},
      {"ingest_url", ingest["ingest_url_redacted"]},
      {"port", srt ? backup.srt_port : options_.rtmp_port},
  };
  const engine::InputHealth health = channel.input.backup.value_or(engine::InputHealth{});
  add_health(json, health, channel.input.backup ? health.listening : true);
  return json;
}

nlohmann::json ControlPlane::channel_json(const Channel& channel) const {
  const auto& record = channel.record;
  const auto& in = channel.input;
  int destinations_on = 0;
  for (const auto& [id, destination] : destinations_) {
    if (destination->record.channel_id == record.id && destination->record.desired_on) ++destinations_on;
  }
  nlohmann::json input = {
      {"protocol", record.input_protocol},
      {"ingest_url", ingest_json(channel)["ingest_url_redacted"]},
      {"port",
       record.input_protocol == "srt" ? nlohmann::json(record.srt_port) : nlohmann::json(options_.rtmp_port)},
      {"latency_ms", record.latency_ms},
      {"passphrase_set", !channel.passphrase.empty()},
      {"streamid_set", !record.streamid.empty()},
      {"slate",
       {{"on", in.slate_on},
        {"count", in.slates},
        {"seconds", round1(in.slate_seconds)},
        {"error", string_or_null(in.slate_error)}}},
  };
  add_health(input, in, channel.listen_error.empty());
  const auto& switching_to = in.switching_to;
  return {
      {"id", record.id},
      {"name", record.name},
      {"state", record.state},
      {"state_message", string_or_null(record.state_message)},
      {"engine", record.engine},
      {"node", node_json(record.id)},
      {"input", input},
      {"backup_input", backup_input_json(channel)},
      {"active_input", in.active.empty() ? "primary" : in.active},
      {"failover",
       {{"switching_to", string_or_null(switching_to)},
        {"count", in.failovers},
        {"failbacks", in.failbacks},
        {"last_reason", string_or_null(in.last_switch_reason)},
        {"last_at", time_point_or_null(in.last_switch_at)}}},
      {"failover_after_ms", channel.failover_after_ms},
      {"failback_after_s", channel.failback_after_s},
      {"auto_start", record.auto_start},
      {"auto_stop_after_s", record.auto_stop_after_s},
      {"destinations_on", destinations_on},
      {"input_loss_slate_after_ms", channel.input_loss_slate_after_ms},
      {"input_loss_stop_after_s", channel.input_loss_stop_after_s},
      {"slate_image", channel.slate_image_type.empty() ? "built-in" : "custom"},
      {"public", channel.is_public},
      {"medialive", medialive_json(channel)},
      {"renditions", renditions_json(channel)},
      {"error", rendition_error_json(channel)},
      {"playback_url", playback_url(channel)},
      {"hls", hls_json(channel)},
      {"version", record.version},
      {"created_at", rfc3339(record.created_at)},
      {"updated_at", rfc3339(record.updated_at)},
  };
}

nlohmann::json ControlPlane::ingest_json(const Channel& channel) const {
  const auto& record = channel.record;
  const std::string host = options_.public_host;
  // The streamid and passphrase a caller sends, in full and as hints (the backup's listener wants the same).
  std::string srt_params;
  std::string srt_params_redacted;
  if (!record.streamid.empty()) {
    srt_params += "&streamid=" + record.streamid;
    srt_params_redacted += "&streamid=" + stream_key_hint(record.streamid);
  }
  if (!channel.passphrase.empty()) {
    srt_params += "&passphrase=" + channel.passphrase;
    srt_params_redacted += "&passphrase=" + stream_key_hint(channel.passphrase);
  }
  const auto srt_base = [&host](int port) {
    return "srt://" + host + ":" + std::to_string(port) + "?mode=caller";
  };
  std::string srt_url;
  std::string srt_redacted;
  if (record.input_protocol == "srt") {
    srt_url = srt_base(record.srt_port) + srt_params;
    srt_redacted = srt_base(record.srt_port) + srt_params_redacted;
  }
  const std::string rtmp_base =
      "rtmp://" + host + ":" + std::to_string(options_.rtmp_port) + "/" + options_.rtmp_app;
  const std::string rtmp_url = rtmp_base + "/" + channel.rtmp_key;
  const bool srt = record.input_protocol == "srt";
  nlohmann::json backup = nullptr;
  if (channel.backup) {
    const auto& b = *channel.backup;
    const std::string backup_rtmp = rtmp_base + "/" + b.rtmp_key;
    std::string backup_srt;
    std::string backup_srt_redacted;
    if (b.protocol == "srt") {
      backup_srt = srt_base(b.srt_port) + srt_params;
      backup_srt_redacted = srt_base(b.srt_port) + srt_params_redacted;
    }
    const bool backup_is_srt = b.protocol == "srt";
    backup = {
        {"ingest_url", backup_is_srt ? backup_srt : backup_rtmp},
        {"ingest_url_redacted",
         backup_is_srt ? backup_srt_redacted : rtmp_base + "/" + stream_key_hint(b.rtmp_key)},
        {"srt_url", string_or_null(backup_srt)},
        {"rtmp_url", backup_rtmp},
        {"rtmp_key", b.rtmp_key},
    };
  }
  return {
      {"channel_id", record.id},
      {"ingest_url", srt ? srt_url : rtmp_url},
      {"ingest_url_redacted", srt ? srt_redacted : rtmp_base + "/" + stream_key_hint(channel.rtmp_key)},
      {"srt_url", string_or_null(srt_url)},
      {"rtmp_url", rtmp_url},
      {"rtmp_server", rtmp_base},
      {"rtmp_key", channel.rtmp_key},
      {"passphrase", string_or_null(channel.passphrase)},
      {"streamid", string_or_null(record.streamid)},
      {"backup", backup},
      {"medialive", medialive_ingest_json(channel)},
  };
}

nlohmann::json ControlPlane::playback_url(const Channel& channel) const {
  if (channel.medialive && !channel.medialive->hls_playback_url.empty())
    return channel.medialive->hls_playback_url;
  if (channel.medialive && channel.medialive->mode == "direct") return nullptr;  // no HLS anywhere
  // `lunora lambda` serves no player: a relay node's channel plays there. (Several nodes: any node's page
  // plays any channel, its segments come from the driving node.)
  const bool relays = !clustered() && !channel.driven && !channel.playback_base_seen.empty();
  return (relays ? channel.playback_base_seen : options_.http_base_url) + "/watch/" + channel.record.id +
         playback_query(channel);
}

nlohmann::json ControlPlane::destination_json(const Destination& destination) const {
  const auto& record = destination.record;
  const auto& out = destination.output;
  const bool live = record.desired_on && destination.in_engine;
  nlohmann::json last_error = nullptr;
  if (!record.last_error_code.empty()) {
    last_error = {{"code", record.last_error_code},
                  {"message", record.last_error_message},
                  {"at", time_or_null(record.last_error_at)}};
  }
  return {
      {"id", record.id},
      {"channel_id", record.channel_id},
      {"name", record.name},
      {"platform", record.platform},
      {"url", record.url},
      {"stream_key_hint", record.stream_key_hint},
      {"enabled", record.desired_on},
      {"status", record.status},
      {"status_detail", string_or_null(destination.status_detail)},
      {"status_since", time_or_null(record.status_since)},
      {"last_error", last_error},
      {"next_retry_at", time_or_null(record.next_retry_at)},
      {"rendition",
       destination.rendition.empty() ? nlohmann::json(nullptr) : nlohmann::json(destination.rendition)},
      {"warnings", destination_warnings(destination)},
      {"stats",
       {{"bitrate_kbps", live ? round1(out.bitrate_kbps) : 0.0},
        {"bytes_sent", live ? out.bytes_sent : 0},
        {"uptime_s", live ? out.uptime_s : 0},
        {"reconnects", live ? out.reconnects : 0},
        {"dropped_packets", live ? out.dropped_packets : 0}}},
      {"version", record.version},
      {"created_at", rfc3339(record.created_at)},
      {"updated_at", rfc3339(record.updated_at)},
  };
}

nlohmann::json ControlPlane::stats_json() const {
  nlohmann::json channels = nlohmann::json::array();
  for (const auto& [id, channel] : channels_) {
    const auto& in = channel->input;
    channels.push_back(
        {{"id", id},
         {"state", channel->record.state},
         {"input",
          {{"connected", in.connected},
           {"bitrate_kbps", round1(in.bitrate_kbps)},
           {"keyframe_interval_s", round2(in.keyframe_interval_s)}}},
         {"hls", {{"status", channel->hls_status}, {"segments", channel->hls_report.window_segments}}},
         {"renditions", renditions_json(*channel)},
         {"error", rendition_error_json(*channel)},
         {"medialive", channel->medialive ? medialive_json(*channel)["cost"] : nlohmann::json(nullptr)}});
  }
  nlohmann::json destinations = nlohmann::json::array();
  for (const auto& [id, destination] : destinations_) {
    const auto& out = destination->output;
    const bool live = destination->record.desired_on && destination->in_engine;
    destinations.push_back({{"id", id},
                            {"channel_id", destination->record.channel_id},
                            {"status", destination->record.status},
                            {"stats",
                             {{"bitrate_kbps", live ? round1(out.bitrate_kbps) : 0.0},
                              {"bytes_sent", live ? out.bytes_sent : 0},
                              {"uptime_s", live ? out.uptime_s : 0},
                              {"reconnects", live ? out.reconnects : 0},
                              {"dropped_packets", live ? out.dropped_packets : 0}}}});
  }
  return {{"at", rfc3339(now_ms())}, {"channels", channels}, {"destinations", destinations}};
}

}  // namespace lunora::control
