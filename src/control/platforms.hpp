// Platform presets (GET /api/v1/platforms): where each service takes RTMP(S), and what it accepts. A
// destination that names a platform but no URL publishes to the preset's default_url. Requirements are for
// validation and warnings only: a passthrough relay cannot change what the encoder sends.
// Sources: /work/shared/reference/rtmp-and-platforms.md section A (OBS services.json v286, platform docs).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"

namespace lunora::control {

struct PlatformRequirements {
  int max_video_bitrate_kbps = 0;
  int max_audio_bitrate_kbps = 0;         // 0 = none stated
  double keyframe_interval_s = 0;         // the required or recommended maximum
  std::vector<std::string> video_codecs;  // "h264", "hevc", "av1"
  std::vector<std::string> audio_codecs;  // "aac", "mp3"
  int max_width = 0;
  int max_height = 0;
  double max_fps = 0;
  std::string notes;
};

// A rendition that fits the platform (issue 9), offered when a user adds one for it.
struct RenditionSuggestion {
  std::string name;
  int width = 1920;
  int height = 1080;
  double fps = 30;
  int video_bitrate_kbps = 6000;
  int audio_bitrate_kbps = 128;
  double keyframe_interval_s = 2;
};

struct Platform {
  std::string id;         // youtube | twitch | facebook | restream | kick | custom
  std::string name;       // what a person reads: "YouTube"
  std::string rtmp_url;   // "" = the platform takes no plain RTMP (or none is known)
  std::string rtmps_url;  // "" = no RTMPS (or none is known)
  std::string
      default_url;  // used when a destination gives no url: RTMPS when offered, else RTMP; "" for custom
  bool stream_key_required = true;
  PlatformRequirements requirements;
  std::string help_url;
  RenditionSuggestion suggested_rendition;
};

// The presets, in the order the UI lists them; custom is last and has no URLs (a destination must give one).
const std::vector<Platform>& platforms();

// nullptr when no preset has this id.
const Platform* find_platform(std::string_view id);

// {"id", "name", "ingest": {"rtmp": url|null, "rtmps": url|null}, "default_url": url|null,
//  "stream_key_required", "requirements": {...}, "help_url", "suggested_rendition": {...}}.
nlohmann::json platform_to_json(const Platform& platform);
// {"name", "width", "height", "fps", "video_bitrate_kbps", "audio_bitrate_kbps", "keyframe_interval_s"}: the
// body of POST /api/v1/channels/{id}/renditions that makes it.
nlohmann::json rendition_suggestion_json(const RenditionSuggestion& suggestion);

// The URL the engine publishes to: for rtmp:// and rtmps://, `url` + "/" + key (no extra "/" when `url` ends
// with one); for srt://, `streamid=<key>` is added as a query parameter when a key is given and the URL has
// no streamid yet. An empty `url` means the platform's default_url. Errors (kInvalidArgument) say what is
// missing.
Result<std::string> publish_url(const Platform& platform, const std::string& url,
                                const std::string& stream_key);

}  // namespace lunora::control
