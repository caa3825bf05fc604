// What an input knows about its publisher and stream, for --stats and the channel API. Fed from the input's
// thread, read from anywhere.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "media/hub/packet_sink.hpp"
#include "media/media_packet.hpp"

namespace lunora::media {

struct InputStats {
  bool connected = false;
  std::string publisher;  // peer address
  std::string protocol;   // "srt" | "rtmp" of the live publisher
  std::chrono::system_clock::time_point connected_since{};
  uint64_t bytes = 0;  // bytes received from publishers, all connections
  uint64_t packets = 0;
  uint32_t connections = 0;
  Codec video_codec = Codec::kUnknown;
  Codec audio_codec = Codec::kUnknown;
  VideoParams video;
  AudioParams audio;
  // Seconds between the last two video keyframes (platforms want 2 s); 0 until two were seen.
  double keyframe_interval_s = 0;
  std::string last_error;
};

// Sits between an input and its Hub: records what flows, then hands it on to `sink` (the Hub, or what stands
// in front of it: the input selector, the slate).
class InputRecorder {
 public:
  explicit InputRecorder(PacketSink& sink) : sink_(sink) {}

  // Claims the input for one publisher: false when another publisher (on any ingest protocol of the
  // channel) is already live, so two encoders never interleave into one Hub.
  bool claim(const std::string& publisher, const std::string& protocol);
  bool busy() const;
  void disconnected(const std::string& reason);
  void received_bytes(size_t n);
  void publish(const MediaPacketPtr& packet);
  void set_codecs(const InputCodecs& codecs);
  void error(const std::string& message);
  InputStats stats() const;

 private:
  PacketSink& sink_;
  mutable std::mutex mutex_;  // guards stats_ and last_keyframe_dts_
  InputStats stats_;
  std::optional<int64_t> last_keyframe_dts_;  // of the current publisher
};

}  // namespace lunora::media
