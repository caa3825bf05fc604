#include "media/hub/output_clock.hpp"

#include <algorithm>

namespace lunora::media {

uint32_t OutputClock::map_ms(const MediaPacket& packet) {
  if (packet.is_config()) return static_cast<uint32_t>(ticks_to_ms(last_out_));
  if (!started_) {
    started_ = true;
    epoch_ = packet.epoch;
    offset_ = -packet.dts;
  }
  int64_t out = packet.dts + offset_;
  if (packet.epoch != epoch_ || out < last_out_ - kMaxJumpTicks || out > last_out_ + kMaxJumpTicks) {
    // Re-anchor: continue just after what this destination has already seen.
    epoch_ = packet.epoch;
    offset_ = last_out_ + kSpliceGapTicks - packet.dts;
    out = packet.dts + offset_;
  }
  int64_t& last_track = packet.is_video() ? last_video_ : last_audio_;
  out = std::max({out, last_track, int64_t{0}});
  last_track = out;
  last_out_ = std::max(last_out_, out);
  return static_cast<uint32_t>(ticks_to_ms(out));
}

}  // namespace lunora::media
