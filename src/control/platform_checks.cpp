#include "control/platform_checks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace lunora::control {
namespace {

// Measured figures wobble: a keyframe interval of 2.03 s is a 2 s GOP, not a broken one.
constexpr double kKeyframeSlack = 0.1;
// The audio share of a measured input bitrate when the platform states no audio cap.
constexpr int kAssumedAudioKbps = 128;
// A measured bitrate includes the container's overhead and wobbles around a CBR encoder's target: only a
// clear excess is worth a warning (one that does not come and go every second).
constexpr double kMeasuredSlack = 1.05;

void warn(nlohmann::json& out, const char* code, std::string message, const nlohmann::json& limit,
          const nlohmann::json& actual) {
  out.push_back({{"code", code}, {"message", std::move(message)}, {"limit", limit}, {"actual", actual}});
}

std::string codec_list(const std::vector<std::string>& codecs) {
  std::string list;
  for (const auto& codec : codecs) list += (list.empty() ? "" : ", ") + codec;
  return list;
}

bool accepts(const std::vector<std::string>& codecs, const std::string& codec) {
  return codec.empty() || codecs.empty() || std::find(codecs.begin(), codecs.end(), codec) != codecs.end();
}

void check_codecs(nlohmann::json& out, const Platform& platform, const StreamFacts& stream) {
  const auto& r = platform.requirements;
  if (!accepts(r.video_codecs, stream.video_codec)) {
    warn(out, "video_codec",
         fmt::format("{} takes {} video; this stream's video is {}", platform.name,
                     codec_list(r.video_codecs), stream.video_codec),
         r.video_codecs, stream.video_codec);
  }
  if (!accepts(r.audio_codecs, stream.audio_codec)) {
    warn(out, "audio_codec",
         fmt::format("{} takes {} audio; this stream's audio is {}", platform.name,
                     codec_list(r.audio_codecs), stream.audio_codec),
         r.audio_codecs, stream.audio_codec);
  }
}

void check_bitrates(nlohmann::json& out, const Platform& platform, const StreamFacts& stream) {
  const auto& r = platform.requirements;
  if (r.max_video_bitrate_kbps > 0 && stream.rendition && stream.video_kbps > r.max_video_bitrate_kbps) {
    warn(out, "video_bitrate",
         fmt::format("{} takes at most {} kbit/s of video; the rendition sends {:.0f} kbit/s", platform.name,
                     r.max_video_bitrate_kbps, stream.video_kbps),
         r.max_video_bitrate_kbps, std::lround(stream.video_kbps));
  }
  if (r.max_video_bitrate_kbps > 0 && !stream.rendition && stream.total_kbps > 0) {
    // The input's figure is video and audio together: the platform's video cap plus its audio share.
    const int limit = r.max_video_bitrate_kbps +
                      (r.max_audio_bitrate_kbps > 0 ? r.max_audio_bitrate_kbps : kAssumedAudioKbps);
    if (stream.total_kbps > limit * kMeasuredSlack) {
      warn(out, "video_bitrate",
           fmt::format(
               "{} takes at most {} kbit/s of video ({} with audio); the input arrives at {:.0f} kbit/s: "
               "give this destination a rendition",
               platform.name, r.max_video_bitrate_kbps, limit, stream.total_kbps),
           limit, std::lround(stream.total_kbps));
    }
  }
  if (r.max_audio_bitrate_kbps > 0 && stream.audio_kbps > r.max_audio_bitrate_kbps) {
    warn(out, "audio_bitrate",
         fmt::format("{} takes at most {} kbit/s of audio; the rendition allows {} kbit/s", platform.name,
                     r.max_audio_bitrate_kbps, stream.audio_kbps),
         r.max_audio_bitrate_kbps, stream.audio_kbps);
  }
}

void check_picture(nlohmann::json& out, const Platform& platform, const StreamFacts& stream) {
  const auto& r = platform.requirements;
  const char* whose = stream.rendition ? "the rendition" : "the input";
  if (r.keyframe_interval_s > 0 && stream.keyframe_interval_s > r.keyframe_interval_s + kKeyframeSlack) {
    warn(out, "keyframe_interval",
         fmt::format("{} wants a keyframe every {:g} s; {} has one every {:.2f} s", platform.name,
                     r.keyframe_interval_s, whose, stream.keyframe_interval_s),
         r.keyframe_interval_s, std::round(stream.keyframe_interval_s * 100) / 100);
  }
  if (r.max_width > 0 && r.max_height > 0 && (stream.width > r.max_width || stream.height > r.max_height)) {
    warn(out, "resolution",
         fmt::format("{} takes at most {}x{}; {} is {}x{}", platform.name, r.max_width, r.max_height, whose,
                     stream.width, stream.height),
         fmt::format("{}x{}", r.max_width, r.max_height), fmt::format("{}x{}", stream.width, stream.height));
  }
  if (r.max_fps > 0 && stream.fps > r.max_fps + 0.5) {
    warn(out, "frame_rate",
         fmt::format("{} takes at most {:g} fps; {} has {:.1f}", platform.name, r.max_fps, whose, stream.fps),
         r.max_fps, std::round(stream.fps * 10) / 10);
  }
}

}  // namespace

nlohmann::json platform_warnings(const Platform& platform, const StreamFacts& stream) {
  nlohmann::json out = nlohmann::json::array();
  if (platform.id == "custom") return out;  // any server: its limits are not known
  check_codecs(out, platform, stream);
  check_bitrates(out, platform, stream);
  check_picture(out, platform, stream);
  return out;
}

}  // namespace lunora::control
