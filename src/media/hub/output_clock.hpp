// A destination's own clock (DESIGN.md): its timestamps start near 0 when it connects, as OBS does, and never
// go backwards, also across an input reconnect or an encoder restart whose timestamps jumped. Audio and video
// share one offset, so lip sync survives a re-anchoring.
#pragma once

#include <cstdint>

#include "media/media_packet.hpp"

namespace lunora::media {

class OutputClock {
 public:
  // A jump larger than this within one input connection is a discontinuity (encoder restart, wrap gone
  // wrong).
  static constexpr int64_t kMaxJumpTicks = 10 * kTicksPerSecond;
  // The gap left between the last packet before a discontinuity and the first one after it.
  static constexpr int64_t kSpliceGapTicks = 3000;  // 33 ms: one frame at 30 fps

  // The destination's decode time for `packet`, in 90 kHz ticks (presentation: add pts - dts).
  int64_t map(const MediaPacket& packet);
  // The same in milliseconds (RTMP).
  uint32_t map_ms(const MediaPacket& packet) { return static_cast<uint32_t>(ticks_to_ms(map(packet))); }
  bool started() const { return started_; }

 private:
  bool started_ = false;
  uint32_t epoch_ = 0;
  int64_t offset_ = 0;
  int64_t last_out_ = 0;  // latest destination DTS in ticks, any track
  int64_t last_video_ = 0;
  int64_t last_video_pts_ = 0;  // latest presentation time shown, in destination ticks
  int64_t last_audio_ = 0;
};

}  // namespace lunora::media
