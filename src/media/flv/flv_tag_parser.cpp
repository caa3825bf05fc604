#include "media/flv/flv_tag_parser.hpp"

#include <string>

#include "media/codec/aac.hpp"
#include "media/codec/h264.hpp"

namespace lunora::media {
namespace {

constexpr uint8_t kTagAudio = 8;
constexpr uint8_t kTagVideo = 9;
constexpr uint8_t kSoundFormatAac = 10;
constexpr uint8_t kSoundFormatExHeader = 9;  // Enhanced RTMP v2 audio: a FourCC follows
constexpr uint8_t kCodecIdAvc = 7;
constexpr uint8_t kVideoExHeaderBit = 0x80;  // Enhanced RTMP: IsExHeader
constexpr uint8_t kFrameTypeKey = 1;
constexpr uint8_t kFrameTypeCommand = 5;  // video info/command frame: carries no picture
constexpr int64_t kTimestampWrap = int64_t{1} << 32;

using ParseResult = Result<std::optional<MediaPacketPtr>>;

Error parse_error(std::string what) {
  return Error(ErrorCode::kParse, "flv: " + std::move(what));
}
Error unsupported(std::string codec) {
  return Error(ErrorCode::kUnsupportedCodec, "flv: unsupported codec " + std::move(codec));
}

std::string sound_format_name(uint8_t format) {
  switch (format) {
    case 0:
      return "pcm";
    case 1:
      return "adpcm";
    case 2:
      return "mp3";
    case 3:
      return "pcm (little endian)";
    case 4:
    case 5:
    case 6:
      return "nellymoser";
    case 7:
      return "g711 a-law";
    case 8:
      return "g711 mu-law";
    case 11:
      return "speex";
    case 14:
      return "mp3 8khz";
    default:
      return "sound format " + std::to_string(format);
  }
}

std::string video_codec_name(uint8_t codec_id) {
  switch (codec_id) {
    case 2:
      return "sorenson h263";
    case 3:
      return "screen video";
    case 4:
      return "vp6";
    case 5:
      return "vp6 alpha";
    case 6:
      return "screen video 2";
    case 12:
      return "hevc";  // the non-standard pre-Enhanced-RTMP HEVC id some CDNs use
    default:
      return "video codec " + std::to_string(codec_id);
  }
}

std::string fourcc_name(ByteSpan fourcc) {
  const std::string id(fourcc.begin(), fourcc.end());
  if (id == "hvc1") return "hevc";
  if (id == "av01") return "av1";
  if (id == "vp09") return "vp9";
  if (id == "Opus") return "opus";
  if (id == "fLaC") return "flac";
  if (id == "ac-3") return "ac3";
  if (id == "ec-3") return "eac3";
  if (id == ".mp3") return "mp3";
  std::string printable;
  for (char c : id) printable += (c >= 0x20 && c < 0x7F) ? c : '?';
  return "fourcc " + printable;
}

int32_t read_si24(ByteSpan b) {
  const uint32_t v = (uint32_t{b[0]} << 16) | (uint32_t{b[1]} << 8) | b[2];
  return static_cast<int32_t>(v & 0x800000 ? v | 0xFF000000u : v);
}

ParseResult parse_avc_config(ByteSpan record, int64_t dts, uint32_t epoch) {
  auto config = h264::parse_avc_decoder_config(record);
  if (!config) return config.error().wrap("flv: AVC sequence header");
  if (config->sps.empty()) return parse_error("AVC sequence header has no SPS");
  auto sps = h264::parse_sps(config->sps.front());
  if (!sps) return sps.error().wrap("flv: AVC sequence header");
  auto p = make_media_packet(PacketKind::kVideoConfig, Codec::kH264, dts, dts, epoch);
  p->video = VideoParams{sps->width, sps->height, sps->fps, sps->profile_idc, sps->level_idc};
  p->payload.assign(record.begin(), record.end());
  return std::optional<MediaPacketPtr>(std::move(p));
}

ParseResult parse_avc_frame(ByteSpan nalus, bool keyframe, int32_t cts_ms, int64_t dts, uint32_t epoch) {
  if (nalus.empty()) return std::optional<MediaPacketPtr>();
  if (auto split = h264::split_avcc(nalus); !split) return split.error().wrap("flv: AVC NALU tag");
  auto p = make_media_packet(PacketKind::kVideo, Codec::kH264, dts, dts, epoch);
  p->pts = dts + ms_to_ticks(cts_ms);
  p->keyframe = keyframe;
  p->payload.assign(nalus.begin(), nalus.end());
  return std::optional<MediaPacketPtr>(std::move(p));
}

// AVCPacketType 0 sequence header, 1 NALUs, 2 end of sequence (legacy FLV layout: type, SI24 CTS, data).
ParseResult parse_legacy_avc(ByteSpan body, bool keyframe, int64_t dts, uint32_t epoch) {
  if (body.size() < 5) return parse_error("AVC video tag shorter than its 5-byte header");
  const ByteSpan data = body.subspan(5);
  switch (body[1]) {
    case 0:
      return parse_avc_config(data, dts, epoch);
    case 1:
      return parse_avc_frame(data, keyframe, read_si24(body.subspan(2, 3)), dts, epoch);
    case 2:
      return std::optional<MediaPacketPtr>();
    default:
      return parse_error("unknown AVCPacketType " + std::to_string(body[1]));
  }
}

// Enhanced RTMP (v1): the FourCC says the codec; H.264 under "avc1" maps onto the same packets.
ParseResult parse_enhanced_video(ByteSpan body, bool keyframe, int64_t dts, uint32_t epoch) {
  if (body.size() < 5) return parse_error("enhanced video tag shorter than its FourCC");
  const ByteSpan fourcc = body.subspan(1, 4);
  if (std::string(fourcc.begin(), fourcc.end()) != "avc1") return unsupported(fourcc_name(fourcc));
  const ByteSpan data = body.subspan(5);
  switch (body[0] & 0x0F) {
    case 0:
      return parse_avc_config(data, dts, epoch);  // SequenceStart
    case 1:                                       // CodedFrames: SI24 CTS first
      if (data.size() < 3) return parse_error("enhanced CodedFrames tag without CTS");
      return parse_avc_frame(data.subspan(3), keyframe, read_si24(data), dts, epoch);
    case 3:
      return parse_avc_frame(data, keyframe, 0, dts, epoch);  // CodedFramesX: CTS 0
    case 2:                                                   // SequenceEnd
    case 4:
      return std::optional<MediaPacketPtr>();  // Metadata (HDR info)
    default:
      return parse_error("unsupported enhanced video packet type");
  }
}

ParseResult parse_video(ByteSpan body, int64_t dts, uint32_t epoch) {
  if (body.empty()) return std::optional<MediaPacketPtr>();
  const bool enhanced = (body[0] & kVideoExHeaderBit) != 0;
  const uint8_t frame_type = (body[0] >> 4) & 0x07;
  if (frame_type == kFrameTypeCommand) return std::optional<MediaPacketPtr>();
  const bool keyframe = frame_type == kFrameTypeKey;
  if (enhanced) return parse_enhanced_video(body, keyframe, dts, epoch);
  const uint8_t codec_id = body[0] & 0x0F;
  if (codec_id != kCodecIdAvc) return unsupported(video_codec_name(codec_id));
  return parse_legacy_avc(body, keyframe, dts, epoch);
}

ParseResult parse_audio(ByteSpan body, int64_t dts, uint32_t epoch) {
  if (body.empty()) return std::optional<MediaPacketPtr>();
  const uint8_t format = body[0] >> 4;
  if (format == kSoundFormatExHeader) {
    if (body.size() < 5) return parse_error("enhanced audio tag shorter than its FourCC");
    return unsupported(fourcc_name(body.subspan(1, 4)));
  }
  if (format != kSoundFormatAac) return unsupported(sound_format_name(format));
  if (body.size() < 2) return parse_error("AAC audio tag shorter than its 2-byte header");
  const ByteSpan data = body.subspan(2);
  if (body[1] == 0) {
    auto asc = aac::parse_audio_specific_config(data);
    if (!asc) return asc.error().wrap("flv: AAC sequence header");
    auto p = make_media_packet(PacketKind::kAudioConfig, Codec::kAac, dts, dts, epoch);
    p->audio = AudioParams{asc->sample_rate, asc->channels, asc->object_type};
    p->payload.assign(data.begin(), data.end());
    return std::optional<MediaPacketPtr>(std::move(p));
  }
  if (body[1] != 1) return parse_error("unknown AACPacketType " + std::to_string(body[1]));
  if (data.empty()) return std::optional<MediaPacketPtr>();
  auto p = make_media_packet(PacketKind::kAudio, Codec::kAac, dts, dts, epoch);
  p->payload.assign(data.begin(), data.end());
  return std::optional<MediaPacketPtr>(std::move(p));
}

}  // namespace

Result<std::optional<MediaPacketPtr>> FlvTagParser::parse(uint8_t tag_type, uint32_t timestamp_ms,
                                                          ByteSpan body) {
  if (tag_type != kTagAudio && tag_type != kTagVideo) {
    return Error(ErrorCode::kInvalidArgument, "flv: tag type " + std::to_string(tag_type) + " is not media");
  }
  const int64_t dts = ms_to_ticks(unwrap_ms(timestamp_ms));
  return tag_type == kTagAudio ? parse_audio(body, dts, epoch_) : parse_video(body, dts, epoch_);
}

// A jump of more than 2^31 ms (about 24 days) cannot be real, so it is read as the 32-bit counter wrapping:
// forwards when the value dropped, backwards (a late packet from before the wrap) when it rose.
int64_t FlvTagParser::unwrap_ms(uint32_t timestamp_ms) {
  if (last_ms_) {
    const int64_t diff = int64_t{timestamp_ms} - *last_ms_;
    if (diff < -(kTimestampWrap / 2)) {
      wrap_offset_ += kTimestampWrap;
    } else if (diff > kTimestampWrap / 2) {
      return wrap_offset_ - kTimestampWrap + timestamp_ms;  // keep the state on the newer side of the wrap
    }
  }
  last_ms_ = timestamp_ms;
  return wrap_offset_ + timestamp_ms;
}

}  // namespace lunora::media
