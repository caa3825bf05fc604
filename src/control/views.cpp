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

}  // namespace

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
      {"listening", channel.listen_error.empty()},
      {"connected", in.connected},
      {"connected_protocol", string_or_null(in.protocol)},
      {"bitrate_kbps", round1(in.bitrate_kbps)},
      {"video", in.video_codec.empty()
                    ? nlohmann::json(nullptr)
                    : nlohmann::json{{"codec", in.video_codec},
                                     {"width", in.width},
                                     {"height", in.height},
                                     {"fps", round1(in.fps)},
                                     {"keyframe_interval_s", round2(in.keyframe_interval_s)}}},
      {"audio", in.audio_codec.empty() ? nlohmann::json(nullptr)
                                       : nlohmann::json{{"codec", in.audio_codec},
                                                        {"sample_rate", in.sample_rate},
                                                        {"channels", in.channels}}},
      {"slate",
       {{"on", in.slate_on},
        {"count", in.slates},
        {"seconds", round1(in.slate_seconds)},
        {"error", string_or_null(in.slate_error)}}},
      {"connected_since", in.connected_since
                              ? nlohmann::json(rfc3339(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                           in.connected_since->time_since_epoch())
                                                           .count()))
                              : nlohmann::json(nullptr)},
  };
  return {
      {"id", record.id},
      {"name", record.name},
      {"state", record.state},
      {"state_message", string_or_null(record.state_message)},
      {"engine", record.engine},
      {"input", input},
      {"auto_start", record.auto_start},
      {"auto_stop_after_s", record.auto_stop_after_s},
      {"destinations_on", destinations_on},
      {"input_loss_slate_after_ms", channel.input_loss_slate_after_ms},
      {"input_loss_stop_after_s", channel.input_loss_stop_after_s},
      {"slate_image", channel.slate_image_type.empty() ? "built-in" : "custom"},
      {"public", channel.is_public},
      {"playback_url", options_.http_base_url + "/watch/" + record.id + playback_query(channel)},
      {"hls", hls_json(channel)},
      {"version", record.version},
      {"created_at", rfc3339(record.created_at)},
      {"updated_at", rfc3339(record.updated_at)},
  };
}

nlohmann::json ControlPlane::ingest_json(const Channel& channel) const {
  const auto& record = channel.record;
  const std::string host = options_.public_host;
  std::string srt_url;
  std::string srt_redacted;
  if (record.input_protocol == "srt") {
    srt_url = "srt://" + host + ":" + std::to_string(record.srt_port) + "?mode=caller";
    srt_redacted = srt_url;
    if (!record.streamid.empty()) {
      srt_url += "&streamid=" + record.streamid;
      srt_redacted += "&streamid=" + stream_key_hint(record.streamid);
    }
    if (!channel.passphrase.empty()) {
      srt_url += "&passphrase=" + channel.passphrase;
      srt_redacted += "&passphrase=" + stream_key_hint(channel.passphrase);
    }
  }
  const std::string rtmp_base =
      "rtmp://" + host + ":" + std::to_string(options_.rtmp_port) + "/" + options_.rtmp_app;
  const std::string rtmp_url = rtmp_base + "/" + channel.rtmp_key;
  const bool srt = record.input_protocol == "srt";
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
  };
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
         {"hls", {{"status", channel->hls_status}, {"segments", channel->hls_report.window_segments}}}});
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
