#include "media/hub/hub.hpp"

#include <algorithm>

namespace lunora::media {

void Hub::publish(const MediaPacketPtr& packet) {
  std::lock_guard lock(mutex_);
  if (packet->kind == PacketKind::kVideoConfig) video_config_ = packet;
  if (packet->kind == PacketKind::kAudioConfig) audio_config_ = packet;
  if (!packet->is_config()) cache(packet);
  for (const auto& output : outputs_) output->offer(packet);
}

void Hub::cache(const MediaPacketPtr& packet) {
  const bool has_video = video_config_ != nullptr;
  if (packet->kind == PacketKind::kVideo && packet->keyframe) {
    gop_.clear();
    gop_bytes_ = 0;
    gop_open_ = true;
  }
  if (has_video && !gop_open_) return;
  gop_.push_back(packet);
  gop_bytes_ += packet->payload.size();
  if (!has_video) {
    // Audio only: a short tail is enough for a new output to start playing.
    if (gop_.size() > limits_.max_audio_only_packets) gop_.erase(gop_.begin());
    return;
  }
  if (gop_.size() > limits_.max_gop_packets || gop_bytes_ > limits_.max_gop_bytes) {
    gop_.clear();
    gop_bytes_ = 0;
    gop_open_ = false;
  }
}

void Hub::set_input_codecs(const InputCodecs& codecs) {
  std::lock_guard lock(mutex_);
  if (codecs == codecs_) return;
  codecs_ = codecs;
  for (const auto& output : outputs_) output->on_input_codecs(codecs);
}

void Hub::input_ended() {
  std::lock_guard lock(mutex_);
  gop_.clear();
  gop_bytes_ = 0;
  gop_open_ = false;
}

void Hub::add_output(const std::shared_ptr<Output>& output) {
  std::lock_guard lock(mutex_);
  if (codecs_.video != Codec::kUnknown || codecs_.audio != Codec::kUnknown) output->on_input_codecs(codecs_);
  if (video_config_) output->offer(video_config_);
  if (audio_config_) output->offer(audio_config_);
  for (const auto& packet : gop_) output->offer(packet);
  outputs_.push_back(output);
}

void Hub::remove_output(const Output* output) {
  std::lock_guard lock(mutex_);
  std::erase_if(outputs_, [output](const auto& o) { return o.get() == output; });
}

size_t Hub::output_count() const {
  std::lock_guard lock(mutex_);
  return outputs_.size();
}

}  // namespace lunora::media
