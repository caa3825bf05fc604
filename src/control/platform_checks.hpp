// Platform checks (issue 9): what a destination's platform will get (the input as it comes, or a rendition)
// against what the platform accepts. Warnings only: Lunora still sends, the user decides (a rendition fixes
// most of them). Each says the numbers.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "control/platforms.hpp"

namespace lunora::control {

// The stream a destination sends.
struct StreamFacts {
  bool rendition = false;  // a rendition's profile (exact figures) rather than the input (measured)
  std::string video_codec;
  std::string audio_codec;
  double video_kbps = 0;  // a rendition's video bitrate; 0 = unknown
  double total_kbps = 0;  // the input's bitrate as measured, video and audio together; 0 = unknown
  int audio_kbps = 0;     // a rendition's audio bitrate at most; 0 = unknown
  double keyframe_interval_s = 0;
  int width = 0;
  int height = 0;
  double fps = 0;
};

// [{"code", "message", "limit", "actual"}], empty when all fits (or for a custom destination, whose limits
// are unknown). Codes: video_codec, audio_codec, video_bitrate, audio_bitrate, keyframe_interval, resolution,
// frame_rate.
nlohmann::json platform_warnings(const Platform& platform, const StreamFacts& stream);

}  // namespace lunora::control
