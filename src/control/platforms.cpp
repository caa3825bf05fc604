#include "control/platforms.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

namespace lunora::control {
namespace {

// The cross-platform lowest common denominator (reference A.2): H.264 + AAC-LC, IDR every 2 s, <= 1080p60,
// <= 6000 kbps video (Twitch's cap) and 128 kbps audio (Facebook's). Used where no platform figure is known.
PlatformRequirements common_denominator(std::string notes) {
  return {.max_video_bitrate_kbps = 6000,
          .max_audio_bitrate_kbps = 128,
          .keyframe_interval_s = 2.0,
          .video_codecs = {"h264"},
          .audio_codecs = {"aac"},
          .max_width = 1920,
          .max_height = 1080,
          .max_fps = 60,
          .notes = std::move(notes)};
}

std::vector<Platform> make_platforms() {
  std::vector<Platform> list;

  // YouTube: RTMPS primary from OBS "YouTube - RTMPS"; the legacy RTMP ingest still works. Bitrate and audio
  // caps are OBS's recommended maxima; 4K60 is the top of YouTube's own bitrate table (help 2853702).
  list.push_back(
      {.id = "youtube",
       .name = "YouTube",
       .rtmp_url = "rtmp://a.rtmp.youtube.com/live2",
       .rtmps_url = "rtmps://a.rtmps.youtube.com:443/live2",
       .default_url = "rtmps://a.rtmps.youtube.com:443/live2",
       .stream_key_required = true,
       .requirements = {.max_video_bitrate_kbps = 51000,
                        .max_audio_bitrate_kbps = 160,
                        .keyframe_interval_s = 2.0,
                        .video_codecs = {"h264", "hevc", "av1"},
                        .audio_codecs = {"aac", "mp3"},
                        .max_width = 3840,
                        .max_height = 2160,
                        .max_fps = 60,
                        .notes = "Keyframe every 2 s recommended; more than 4 s is flagged. HEVC and "
                                 "AV1 need Enhanced RTMP. Audio 44.1 or 48 kHz."},
       .help_url = "https://support.google.com/youtube/answer/2853702",
       // YouTube takes far more than the others: 1080p30 at its own recommended 10 Mbit/s for H.264.
       .suggested_rendition = {"youtube-1080p30", 1920, 1080, 30, 10000, 128, 2}});

  // Twitch: the URLs of Twitch's ingest API (url_template / url_template_secure); OBS's default is the older
  // rtmp://live.twitch.tv/app. OBS still treats Twitch as RTMP-only, but the ingest API offers RTMPS, so
  // RTMPS is the default. Twitch states no maximum resolution in our sources: 1080p60 is the conservative
  // figure (A.2).
  list.push_back(
      {.id = "twitch",
       .name = "Twitch",
       .rtmp_url = "rtmp://ingest.global-contribute.live-video.net/app",
       .rtmps_url = "rtmps://ingest.global-contribute.live-video.net:443/app",
       .default_url = "rtmps://ingest.global-contribute.live-video.net:443/app",
       .stream_key_required = true,
       .requirements = {.max_video_bitrate_kbps = 6000,
                        .max_audio_bitrate_kbps = 320,
                        .keyframe_interval_s = 2.0,
                        .video_codecs = {"h264"},
                        .audio_codecs = {"aac"},
                        .max_width = 1920,
                        .max_height = 1080,
                        .max_fps = 60,
                        .notes = "Keyframe every 2 s, strict CBR, Main or Baseline profile. AAC-LC "
                                 "44.1 or 48 kHz, 128 kbps recommended. At most 48 h per broadcast."},
       .help_url = "https://dev.twitch.tv/docs/video-broadcast/",
       .suggested_rendition = {"twitch-1080p30", 1920, 1080, 30, 6000, 128, 2}});

  // Facebook: RTMPS only. Meta's documents use live-api-s; OBS uses rtmps://rtmp-api.facebook.com:443/rtmp/.
  // The trailing "/" is part of the app: the key (which carries its own "?s_bl=1&...") follows directly.
  list.push_back(
      {.id = "facebook",
       .name = "Facebook Live",
       .rtmp_url = "",
       .rtmps_url = "rtmps://live-api-s.facebook.com:443/rtmp/",
       .default_url = "rtmps://live-api-s.facebook.com:443/rtmp/",
       .stream_key_required = true,
       .requirements = {.max_video_bitrate_kbps = 9000,
                        .max_audio_bitrate_kbps = 128,
                        .keyframe_interval_s = 2.0,
                        .video_codecs = {"h264"},
                        .audio_codecs = {"aac"},
                        .max_width = 1920,
                        .max_height = 1080,
                        .max_fps = 60,
                        .notes = "Keyframe every 2 s, never more than 4 s. Needs both audio and "
                                 "video, at most 8 h, no settings change mid-broadcast. A stream URL "
                                 "must be used within 24 h of its creation."},
       .help_url = "https://developers.facebook.com/docs/live-video-api/",
       // Facebook's matrix tops out at 9000 for 1080p60; 1080p30 fits in 6000, and its audio cap is 128.
       .suggested_rendition = {"facebook-1080p30", 1920, 1080, 30, 6000, 128, 2}});

  // Restream: OBS's autodetect host. Restream's RTMPS endpoint is unverified in our sources, so none is
  // offered; its bitrate and resolution caps are not stated either, so the conservative common denominator
  // applies (Restream forwards to Twitch and Facebook, whose caps are the lowest).
  list.push_back(
      {.id = "restream",
       .name = "Restream",
       .rtmp_url = "rtmp://live.restream.io/live",
       .rtmps_url = "",
       .default_url = "rtmp://live.restream.io/live",
       .stream_key_required = true,
       .requirements = common_denominator(
           "Keyframe every 2 s (some of Restream's destinations require it). Caps are the conservative "
           "cross-platform values: Restream forwards to platforms with lower limits."),
       .help_url = "https://support.restream.io/",
       .suggested_rendition = {"restream-1080p30", 1920, 1080, 30, 6000, 128, 2}});

  // Kick: Amazon IVS infrastructure, RTMPS on 443; the URL comes from a third-party document and no plain
  // RTMP endpoint is known (unverified). Caps are IVS's: 8.5 Mbps, 1080p, 60 fps; audio 160 kbps is IVS's
  // real-time ingest cap, used here as the conservative value because Kick states none.
  list.push_back({.id = "kick",
                  .name = "Kick",
                  .rtmp_url = "",
                  .rtmps_url = "rtmps://fa723fc1b171.global-contribute.live-video.net:443/app",
                  .default_url = "rtmps://fa723fc1b171.global-contribute.live-video.net:443/app",
                  .stream_key_required = true,
                  .requirements = {.max_video_bitrate_kbps = 8500,
                                   .max_audio_bitrate_kbps = 160,
                                   .keyframe_interval_s = 2.0,
                                   .video_codecs = {"h264"},
                                   .audio_codecs = {"aac"},
                                   .max_width = 1920,
                                   .max_height = 1080,
                                   .max_fps = 60,
                                   .notes = "Runs on Amazon IVS: keyframe every 2 s, no scene-cut keyframes. "
                                            "Stream keys look like sk_us-west-2_..."},
                  .help_url = "https://help.kick.com/",
                  .suggested_rendition = {"kick-1080p30", 1920, 1080, 30, 6000, 128, 2}});

  // Custom: any rtmp://, rtmps:// or srt:// URL; the key may already be part of the URL.
  list.push_back({.id = "custom",
                  .name = "Custom RTMP/RTMPS/SRT",
                  .rtmp_url = "",
                  .rtmps_url = "",
                  .default_url = "",
                  .stream_key_required = false,
                  .requirements = common_denominator(
                      "A URL is required. Limits shown are the cross-platform common denominator; the server "
                      "you publish to may accept more."),
                  .help_url = "",
                  // Any server: a modest 720p30 most will take.
                  .suggested_rendition = {"720p30", 1280, 720, 30, 3000, 128, 2}});
  return list;
}

nlohmann::json url_or_null(const std::string& url) {
  return url.empty() ? nlohmann::json(nullptr) : nlohmann::json(url);
}

bool is_unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

// Query-value encoding: SRT streamids often carry '#', '=' and ',' ("#!::r=live,m=publish").
std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (is_unreserved(c)) {
      out.push_back(c);
    } else {
      const auto b = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0x0f]);
    }
  }
  return out;
}

bool query_has_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (pair.substr(0, pair.find('=')) == name) return true;
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  return false;
}

Error invalid(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

}  // namespace

nlohmann::json rendition_suggestion_json(const RenditionSuggestion& s) {
  return {{"name", s.name},
          {"width", s.width},
          {"height", s.height},
          {"fps", s.fps},
          {"video_bitrate_kbps", s.video_bitrate_kbps},
          {"audio_bitrate_kbps", s.audio_bitrate_kbps},
          {"keyframe_interval_s", s.keyframe_interval_s}};
}

const std::vector<Platform>& platforms() {
  static const std::vector<Platform> list = make_platforms();
  return list;
}

const Platform* find_platform(std::string_view id) {
  const auto& list = platforms();
  const auto it = std::find_if(list.begin(), list.end(), [&](const Platform& p) { return p.id == id; });
  return it == list.end() ? nullptr : &*it;
}

nlohmann::json platform_to_json(const Platform& platform) {
  const PlatformRequirements& r = platform.requirements;
  return {
      {"id", platform.id},
      {"name", platform.name},
      {"ingest", {{"rtmp", url_or_null(platform.rtmp_url)}, {"rtmps", url_or_null(platform.rtmps_url)}}},
      {"default_url", url_or_null(platform.default_url)},
      {"stream_key_required", platform.stream_key_required},
      {"requirements",
       {{"max_video_bitrate_kbps", r.max_video_bitrate_kbps},
        {"max_audio_bitrate_kbps", r.max_audio_bitrate_kbps},
        {"keyframe_interval_s", r.keyframe_interval_s},
        {"video_codecs", r.video_codecs},
        {"audio_codecs", r.audio_codecs},
        {"max_width", r.max_width},
        {"max_height", r.max_height},
        {"max_fps", r.max_fps},
        {"notes", r.notes}}},
      {"help_url", url_or_null(platform.help_url)},
      {"suggested_rendition", rendition_suggestion_json(platform.suggested_rendition)},
  };
}

Result<std::string> publish_url(const Platform& platform, const std::string& url,
                                const std::string& stream_key) {
  const std::string& base = url.empty() ? platform.default_url : url;
  if (base.empty()) return invalid(platform.name + " needs a URL (rtmp://, rtmps:// or srt://)");

  if (base.starts_with("srt://")) {
    if (stream_key.empty()) return base;
    const size_t q = base.find('?');
    if (q != std::string::npos && query_has_param(std::string_view(base).substr(q + 1), "streamid")) {
      return base;  // the URL's own streamid wins
    }
    const char sep = q == std::string::npos ? '?' : (base.back() == '?' || base.back() == '&' ? '\0' : '&');
    std::string out = base;
    if (sep != '\0') out.push_back(sep);
    return out + "streamid=" + percent_encode(stream_key);
  }

  if (!base.starts_with("rtmp://") && !base.starts_with("rtmps://")) {
    return invalid("the URL must start with rtmp://, rtmps:// or srt://");
  }
  if (stream_key.empty()) {
    if (platform.stream_key_required) return invalid(platform.name + " needs a stream key");
    return base;  // a custom URL may carry its key already
  }
  // A query on the base (YouTube's "?backup=1") stays at the end: rtmp://host/app/KEY?backup=1.
  const size_t q = base.find('?');
  const std::string path = base.substr(0, q);
  const std::string query = q == std::string::npos ? "" : base.substr(q);
  return path + (path.ends_with('/') ? "" : "/") + stream_key + query;
}

}  // namespace lunora::control
