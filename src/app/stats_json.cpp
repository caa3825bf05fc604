#include "app/stats_json.hpp"

#include <cmath>

namespace lunora::app {
namespace {

double kbps(uint64_t bytes, double seconds) {
  if (seconds <= 0) return 0;
  return std::round(static_cast<double>(bytes) * 8 / 1000 / seconds * 10) / 10;
}

}  // namespace

nlohmann::json StatsSampler::sample(const media::Relay& relay, std::chrono::steady_clock::time_point now) {
  const double seconds = last_time_ == std::chrono::steady_clock::time_point{}
                             ? 0
                             : std::chrono::duration<double>(now - last_time_).count();
  last_time_ = now;

  const media::InputStats in = relay.input_stats();
  nlohmann::json input = {
      {"connected", in.connected},
      {"bitrate_kbps", kbps(in.bytes - last_input_bytes_, seconds)},
      {"bytes", in.bytes},
      {"connections", in.connections},
      {"codec", in.video_codec == media::Codec::kUnknown ? nullptr
                                                         : nlohmann::json(media::codec_name(in.video_codec))},
      {"width", in.video.width},
      {"height", in.video.height},
      {"fps", std::round(in.video.fps * 100) / 100},
      {"audio_codec", in.audio_codec == media::Codec::kUnknown
                          ? nullptr
                          : nlohmann::json(media::codec_name(in.audio_codec))},
      {"audio_sample_rate", in.audio.sample_rate},
      {"audio_channels", in.audio.channels},
  };
  if (!in.publisher.empty()) input["publisher"] = in.publisher;
  last_input_bytes_ = in.bytes;

  nlohmann::json outputs = nlohmann::json::array();
  std::map<uint64_t, uint64_t> seen;
  for (const auto& o : relay.output_stats()) {
    const uint64_t previous = last_output_bytes_.count(o.id) ? last_output_bytes_[o.id] : o.stats.bytes;
    nlohmann::json out = {
        {"id", o.id},
        {"url", o.url},
        {"state", media::output_state_name(o.stats.state)},
        {"bitrate_kbps", kbps(o.stats.bytes - previous, seconds)},
        {"bytes", o.stats.bytes},
        {"packets", o.stats.media_packets},
        {"dropped_packets", o.stats.dropped_packets},
        {"reconnects", o.stats.reconnects},
        {"last_error", o.stats.last_error.empty() ? nullptr : nlohmann::json(o.stats.last_error)},
        {"last_error_code",
         o.stats.last_error_code.empty() ? nullptr : nlohmann::json(o.stats.last_error_code)},
    };
    if (o.stats.state == media::OutputState::kRetrying) out["next_retry_ms"] = o.stats.next_retry_in.count();
    if (o.stats.state == media::OutputState::kLive) {
      out["uptime_ms"] =
          std::chrono::duration_cast<std::chrono::milliseconds>(now - o.stats.live_since).count();
    }
    outputs.push_back(std::move(out));
    seen[o.id] = o.stats.bytes;
  }
  last_output_bytes_ = std::move(seen);
  return {{"input", std::move(input)}, {"outputs", std::move(outputs)}};
}

}  // namespace lunora::app
