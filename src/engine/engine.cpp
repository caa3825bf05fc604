#include "engine/engine.hpp"

#include "engine/rendition_profile.hpp"
#include "media/endpoint_url.hpp"
#include "media/slate/slate_encoder.hpp"
#include "media/slate/slate_picture.hpp"

namespace lunora::engine {

Status validate_slate_image(const std::vector<uint8_t>& image) {
  auto picture = media::slate_picture(image, 64, 36);
  if (!picture) return picture.error();
  return ok_status();
}

media::RenditionProfile rendition_profile(const RenditionSpec& rendition) {
  media::RenditionProfile profile;
  profile.video = {rendition.width,
                   rendition.height,
                   rendition.fps,
                   rendition.video_bitrate_kbps,
                   rendition.keyframe_interval_s,
                   rendition.preset};
  profile.audio_bitrate_kbps = rendition.audio_bitrate_kbps;
  return profile;
}

Status validate_rendition(const RenditionSpec& rendition) {
  return media::check_rendition_profile(rendition_profile(rendition));
}

std::vector<uint8_t> default_slate_image() {
  const ByteSpan card = media::default_slate_image();
  return {card.begin(), card.end()};
}

std::string_view output_phase_name(OutputPhase phase) {
  switch (phase) {
    case OutputPhase::kWaitingForInput:
      return "waiting_for_input";
    case OutputPhase::kConnecting:
      return "connecting";
    case OutputPhase::kStreaming:
      return "streaming";
    case OutputPhase::kRetrying:
      return "retrying";
    case OutputPhase::kFailed:
      return "failed";
    case OutputPhase::kStopping:
      return "stopping";
  }
  return "unknown";
}

Status validate_output_url(const std::string& url) {
  auto parsed = media::parse_endpoint_url(url);
  if (!parsed) return parsed.error();
  if (parsed->scheme == media::EndpointUrl::Scheme::kSrt && parsed->mode != "caller") {
    return Error(ErrorCode::kInvalidArgument, "an SRT destination is a caller: remove mode=listener");
  }
  if (parsed->is_rtmp() && (parsed->app.empty() || parsed->stream_key.empty())) {
    return Error(ErrorCode::kInvalidArgument,
                 "an RTMP URL needs an application and a stream key: rtmp://host/app/key");
  }
  return ok_status();
}

}  // namespace lunora::engine
