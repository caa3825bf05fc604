// One Hub per input: keeps the codec configuration and the packets since the last keyframe (GOP cache) and
// fans every packet out to any number of outputs. A new output is sent the configuration and the cached GOP
// first, so a destination gets a decodable picture at once (DESIGN.md "The flow of one frame").
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "media/hub/output.hpp"
#include "media/hub/packet_sink.hpp"
#include "media/media_packet.hpp"

namespace lunora::media {

struct HubLimits {
  size_t max_gop_packets = 2500;       // SRS's gop_cache_max_frames
  size_t max_gop_bytes = 64 << 20;     // beyond either, the cache waits for the next keyframe
  size_t max_audio_only_packets = 50;  // no video track: keep a short tail of audio for fast joins
};

class Hub final : public PacketSink {
 public:
  explicit Hub(HubLimits limits = {}) : limits_(limits) {}

  // From the input: every packet, in stream order.
  void publish(const MediaPacketPtr& packet) override;
  void set_input_codecs(const InputCodecs& codecs) override;
  // The input's publisher went away: the GOP cache is dropped (stale pictures must not reach a new output),
  // the configuration is kept until the next publisher sends its own.
  void input_ended() override;

  void add_output(const std::shared_ptr<Output>& output);
  void remove_output(const Output* output);
  size_t output_count() const;

 private:
  void cache(const MediaPacketPtr& packet);

  HubLimits limits_;
  mutable std::mutex mutex_;  // guards everything below; offer() under it only enqueues
  std::vector<std::shared_ptr<Output>> outputs_;
  MediaPacketPtr video_config_;
  MediaPacketPtr audio_config_;
  InputCodecs codecs_;
  std::vector<MediaPacketPtr> gop_;
  size_t gop_bytes_ = 0;
  bool gop_open_ = false;  // a keyframe started the cache
};

}  // namespace lunora::media
