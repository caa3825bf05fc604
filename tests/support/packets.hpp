// Small builders for MediaPackets in unit tests.
#pragma once

#include <memory>
#include <vector>

#include "media/hub/output.hpp"
#include "media/media_packet.hpp"

namespace lunora::testing {

inline media::MediaPacketPtr video(int64_t dts_ms, bool key, uint32_t epoch = 1, size_t size = 1000) {
  auto p = std::make_shared<media::MediaPacket>();
  p->kind = media::PacketKind::kVideo;
  p->codec = media::Codec::kH264;
  p->keyframe = key;
  p->dts = media::ms_to_ticks(dts_ms);
  p->pts = p->dts;
  p->epoch = epoch;
  p->payload.assign(size, 0x42);
  return p;
}

inline media::MediaPacketPtr audio(int64_t dts_ms, uint32_t epoch = 1) {
  auto p = std::make_shared<media::MediaPacket>();
  p->kind = media::PacketKind::kAudio;
  p->codec = media::Codec::kAac;
  p->keyframe = true;
  p->dts = p->pts = media::ms_to_ticks(dts_ms);
  p->epoch = epoch;
  p->payload.assign(200, 0x21);
  return p;
}

inline media::MediaPacketPtr config(media::PacketKind kind) {
  auto p = std::make_shared<media::MediaPacket>();
  p->kind = kind;
  p->codec = kind == media::PacketKind::kVideoConfig ? media::Codec::kH264 : media::Codec::kAac;
  p->keyframe = true;
  p->payload = {1, 2, 3};
  return p;
}

// An Output that records what the Hub offers it.
class RecordingOutput : public media::Output {
 public:
  void offer(const media::MediaPacketPtr& packet) override { packets.push_back(packet); }
  void on_input_codecs(const media::InputCodecs& c) override { codecs.push_back(c); }
  std::vector<media::MediaPacketPtr> packets;
  std::vector<media::InputCodecs> codecs;
};

}  // namespace lunora::testing
