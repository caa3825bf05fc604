// The bounded queue in front of every output (DESIGN.md: an output that falls behind drops to the next
// keyframe and counts the drop; it never blocks the Hub). Not synchronised: its owner guards it.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "media/media_packet.hpp"

namespace lunora::media {

struct PacketQueueLimits {
  int64_t max_duration_ticks = 3 * kTicksPerSecond;  // media time buffered before the queue drops
  size_t max_bytes = 16 << 20;
};

class PacketQueue {
 public:
  explicit PacketQueue(PacketQueueLimits limits = {}) : limits_(limits) {}

  void push(const MediaPacketPtr& packet);
  // Moves everything queued to `out` (appending).
  void take_all(std::vector<MediaPacketPtr>& out);

  // While an output is not connected it keeps only the current GOP (what it would send first on connect) and
  // counts nothing as dropped; once live, overflow drops to the next keyframe and counts.
  void set_gop_only(bool gop_only);
  bool empty() const { return queue_.empty(); }
  size_t size() const { return queue_.size(); }
  uint64_t dropped_packets() const { return dropped_; }

 private:
  bool starts_gop(const MediaPacket& packet) const;
  void drop_media(bool count);

  PacketQueueLimits limits_;
  std::deque<MediaPacketPtr> queue_;
  size_t bytes_ = 0;
  bool has_video_ = false;
  bool waiting_for_key_ = true;
  bool gop_only_ = true;
  uint64_t dropped_ = 0;
};

}  // namespace lunora::media
