#include "media/hub/packet_queue.hpp"

namespace lunora::media {

bool PacketQueue::starts_gop(const MediaPacket& packet) const {
  if (packet.kind == PacketKind::kVideo) return packet.keyframe;
  return !has_video_ && packet.kind == PacketKind::kAudio;
}

void PacketQueue::drop_media(bool count) {
  std::deque<MediaPacketPtr> kept;
  for (auto& p : queue_) {
    if (p->is_config()) {
      kept.push_back(std::move(p));
    } else if (count) {
      ++dropped_;
    }
  }
  queue_ = std::move(kept);
  bytes_ = 0;
  for (const auto& p : queue_) bytes_ += p->payload.size();
}

void PacketQueue::push(const MediaPacketPtr& packet) {
  if (packet->kind == PacketKind::kVideoConfig) has_video_ = true;
  if (packet->is_config()) {
    queue_.push_back(packet);
    bytes_ += packet->payload.size();
    return;
  }
  if (starts_gop(*packet)) {
    if (gop_only_) drop_media(false);
    waiting_for_key_ = false;
  }
  if (waiting_for_key_) {
    if (!gop_only_) ++dropped_;
    return;
  }
  queue_.push_back(packet);
  bytes_ += packet->payload.size();

  const MediaPacket* first_media = nullptr;
  for (const auto& p : queue_) {
    if (!p->is_config()) {
      first_media = p.get();
      break;
    }
  }
  const bool too_long = first_media != nullptr && first_media->epoch == packet->epoch &&
                        packet->dts - first_media->dts > limits_.max_duration_ticks;
  if (too_long || bytes_ > limits_.max_bytes) {
    drop_media(!gop_only_);
    waiting_for_key_ = true;
  }
}

void PacketQueue::take_all(std::vector<MediaPacketPtr>& out) {
  for (auto& p : queue_) out.push_back(std::move(p));
  queue_.clear();
  bytes_ = 0;
}

void PacketQueue::set_gop_only(bool gop_only) {
  gop_only_ = gop_only;
}

}  // namespace lunora::media
