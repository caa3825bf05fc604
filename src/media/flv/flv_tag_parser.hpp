// RTMP/FLV audio and video tag bodies -> MediaPackets (the RTMP ingest path).
#pragma once

#include <cstdint>
#include <optional>

#include "core/byte_io.hpp"
#include "core/result.hpp"
#include "media/media_packet.hpp"

namespace lunora::media {

class FlvTagParser {
 public:
  explicit FlvTagParser(uint32_t epoch) : epoch_(epoch) {}

  // `tag_type` is the RTMP message type (8 audio, 9 video). Returns no packet for bodies that carry nothing
  // to forward (AVC end of sequence, empty frames). An AVC sequence header becomes a kVideoConfig packet with
  // VideoParams from its SPS; an AAC sequence header a kAudioConfig packet with AudioParams. A codec other
  // than AVC/AAC is an Error with ErrorCode::kUnsupportedCodec naming the codec. RTMP's 32-bit millisecond
  // timestamps are unwrapped onto a 64-bit timeline.
  Result<std::optional<MediaPacketPtr>> parse(uint8_t tag_type, uint32_t timestamp_ms, ByteSpan body);

 private:
  int64_t unwrap_ms(uint32_t timestamp_ms);

  uint32_t epoch_;
  std::optional<uint32_t> last_ms_;
  int64_t wrap_offset_ = 0;
};

}  // namespace lunora::media
