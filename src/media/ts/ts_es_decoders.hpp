// Elementary stream payloads of reassembled PES packets -> MediaPackets, with the config packets that must
// precede them. One decoder per PID; timestamps arrive already unwrapped.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "core/byte_io.hpp"
#include "media/media_packet.hpp"

namespace lunora::media::ts {

using EmitPacket = std::function<void(MediaPacketPtr)>;

// Annex-B access units -> kVideoConfig (when the in-band SPS/PPS change) and kVideo (AVCC, without AUD, SPS
// and PPS). Frames before the first config are dropped: no output could decode them.
class H264EsDecoder {
 public:
  explicit H264EsDecoder(uint32_t epoch) : epoch_(epoch) {}
  // False when the access unit or its parameter sets were malformed (and nothing was emitted for them).
  bool decode(ByteSpan es, int64_t pts, int64_t dts, const EmitPacket& emit);

 private:
  bool emit_config_if_changed(int64_t pts, int64_t dts, const EmitPacket& emit);

  uint32_t epoch_;
  std::vector<Bytes> sps_;
  std::vector<Bytes> pps_;
  std::optional<Bytes> last_config_;
};

// ADTS frames -> kAudioConfig (when the AudioSpecificConfig changes) and one kAudio per raw frame.
class AacEsDecoder {
 public:
  explicit AacEsDecoder(uint32_t epoch) : epoch_(epoch) {}
  // False when the ADTS framing was broken; frames before the break are still emitted.
  bool decode(ByteSpan es, int64_t pts, const EmitPacket& emit);

 private:
  uint32_t epoch_;
  std::optional<Bytes> last_config_;
};

}  // namespace lunora::media::ts
