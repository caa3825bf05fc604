#include "media/hub/output_clock.hpp"

#include <algorithm>

namespace lunora::media {

int64_t OutputClock::map(const MediaPacket& packet) {
  if (packet.is_config()) return last_out_;
  if (!started_) {
    started_ = true;
    epoch_ = packet.epoch;
    offset_ = -packet.dts;
  }
  int64_t out = packet.dts + offset_;
  if (packet.epoch != epoch_ || out < last_out_ - kMaxJumpTicks || out > last_out_ + kMaxJumpTicks) {
    // Re-anchor: continue one frame after what this destination has already seen of the packet's own track,
    // so that track shows no gap wider than a frame; the other track, sharing the offset (lip sync), is kept
    // monotonic below.
    epoch_ = packet.epoch;
    const int64_t track_last = packet.is_video() ? last_video_ : last_audio_;
    offset_ = (track_last > 0 ? track_last : last_out_) + kSpliceGapTicks - packet.dts;
    if (packet.is_video()) {
      // Nor may it be shown before (or with) the last picture already shown: with B-frames a picture is shown
      // later than it is decoded, by a delay that differs from stream to stream.
      offset_ = std::max(offset_, last_video_pts_ + kSpliceGapTicks - packet.pts);
    }
    out = packet.dts + offset_;
  }
  int64_t& last_track = packet.is_video() ? last_video_ : last_audio_;
  out = std::max({out, last_track, int64_t{0}});
  last_track = out;
  if (packet.is_video()) last_video_pts_ = std::max(last_video_pts_, out + (packet.pts - packet.dts));
  last_out_ = std::max(last_out_, out);
  return out;
}

}  // namespace lunora::media
