#include "media/net/input_stats.hpp"

namespace lunora::media {

bool InputRecorder::claim(const std::string& publisher, const std::string& protocol) {
  std::lock_guard lock(mutex_);
  if (stats_.connected) return false;
  stats_.connected = true;
  stats_.publisher = publisher;
  stats_.protocol = protocol;
  stats_.connected_since = std::chrono::system_clock::now();
  ++stats_.connections;
  return true;
}

bool InputRecorder::busy() const {
  std::lock_guard lock(mutex_);
  return stats_.connected;
}

void InputRecorder::disconnected(const std::string& reason) {
  {
    std::lock_guard lock(mutex_);
    stats_.connected = false;
    stats_.last_error = reason;
    stats_.keyframe_interval_s = 0;
    last_keyframe_dts_.reset();
  }
  sink_.input_ended();
}

void InputRecorder::received_bytes(size_t n) {
  std::lock_guard lock(mutex_);
  stats_.bytes += n;
}

void InputRecorder::publish(const MediaPacketPtr& packet) {
  {
    std::lock_guard lock(mutex_);
    ++stats_.packets;
    if (packet->kind == PacketKind::kVideoConfig) {
      stats_.video = packet->video;
      stats_.video_codec = packet->codec;
    } else if (packet->kind == PacketKind::kAudioConfig) {
      stats_.audio = packet->audio;
      stats_.audio_codec = packet->codec;
    } else if (packet->kind == PacketKind::kVideo && packet->keyframe) {
      if (last_keyframe_dts_ && packet->dts > *last_keyframe_dts_) {
        stats_.keyframe_interval_s =
            static_cast<double>(packet->dts - *last_keyframe_dts_) / static_cast<double>(kTicksPerSecond);
      }
      last_keyframe_dts_ = packet->dts;
    }
  }
  sink_.publish(packet);
}

void InputRecorder::set_codecs(const InputCodecs& codecs) {
  {
    std::lock_guard lock(mutex_);
    stats_.video_codec = codecs.video;
    stats_.audio_codec = codecs.audio;
  }
  sink_.set_input_codecs(codecs);
}

void InputRecorder::error(const std::string& message) {
  std::lock_guard lock(mutex_);
  stats_.last_error = message;
}

InputStats InputRecorder::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace lunora::media
