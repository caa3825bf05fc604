#include "media/media_packet.hpp"

#include <atomic>

#include "media/codec/h264.hpp"

namespace lunora::media {

uint32_t next_input_epoch() {
  static std::atomic<uint32_t> last{0};
  return (last.fetch_add(1) + 1) & 0x7FFF'FFFFu;
}

MediaPacketPtr with_parameter_sets(const MediaPacket& keyframe, const MediaPacket* video_config) {
  auto packet = std::make_shared<MediaPacket>(keyframe);
  if (video_config == nullptr) return packet;
  auto record = h264::parse_avc_decoder_config(video_config->payload);
  if (!record || record->nal_length_size != 4) return packet;  // our NAL units carry 4-byte lengths
  packet->payload.clear();
  for (const auto& nal : record->sps) h264::append_avcc(packet->payload, nal);
  for (const auto& nal : record->pps) h264::append_avcc(packet->payload, nal);
  packet->payload.insert(packet->payload.end(), keyframe.payload.begin(), keyframe.payload.end());
  return packet;
}

std::string_view codec_name(Codec codec) {
  switch (codec) {
    case Codec::kH264:
      return "h264";
    case Codec::kAac:
      return "aac";
    case Codec::kHevc:
      return "hevc";
    case Codec::kAv1:
      return "av1";
    case Codec::kMp3:
      return "mp3";
    case Codec::kOpus:
      return "opus";
    case Codec::kAc3:
      return "ac3";
    case Codec::kOther:
      return "other";
    case Codec::kUnknown:
      return "unknown";
  }
  return "unknown";
}

MediaPacket::FlvPrefix MediaPacket::flv_prefix() const {
  FlvPrefix p;
  switch (kind) {
    case PacketKind::kVideoConfig:
    case PacketKind::kVideo: {
      // FrameType (1 key, 2 inter) << 4 | CodecID 7 (AVC); AVCPacketType; SI24 composition time in ms.
      const bool config = kind == PacketKind::kVideoConfig;
      const int32_t cts = config ? 0 : static_cast<int32_t>(ticks_to_ms(pts) - ticks_to_ms(dts));
      p.bytes = {static_cast<uint8_t>((keyframe || config) ? 0x17 : 0x27),
                 static_cast<uint8_t>(config ? 0 : 1), static_cast<uint8_t>((cts >> 16) & 0xFF),
                 static_cast<uint8_t>((cts >> 8) & 0xFF), static_cast<uint8_t>(cts & 0xFF)};
      p.size = 5;
      break;
    }
    case PacketKind::kAudioConfig:
    case PacketKind::kAudio:
      // SoundFormat 10 (AAC) with the rate/size/type bits every AAC FLV tag carries; AACPacketType.
      p.bytes = {0xAF, static_cast<uint8_t>(kind == PacketKind::kAudioConfig ? 0 : 1)};
      p.size = 2;
      break;
  }
  return p;
}

}  // namespace lunora::media
