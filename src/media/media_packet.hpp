// The unit that flows from an input through the Hub to every output (DESIGN.md "The flow of one frame").
// Built once at ingest, immutable afterwards, shared by reference count: no output ever copies a payload.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/byte_io.hpp"

namespace lunora::media {

enum class Codec : uint8_t { kH264, kAac, kHevc, kAv1, kMp3, kOpus, kAc3, kOther, kUnknown };
std::string_view codec_name(Codec codec);

enum class PacketKind : uint8_t {
  kVideoConfig,  // payload: AVCDecoderConfigurationRecord
  kAudioConfig,  // payload: AudioSpecificConfig
  kVideo,        // payload: access unit as AVCC (4-byte length-prefixed NAL units)
  kAudio,        // payload: one raw AAC frame (no ADTS header)
};

// Timestamps are 90 kHz ticks on a continuous 64-bit timeline chosen by the input (33-bit MPEG-TS wraps are
// already unwrapped). Outputs rebase them onto their own clock.
constexpr int64_t kTicksPerSecond = 90000;
constexpr int64_t ticks_to_ms(int64_t ticks) {
  return ticks / 90;
}
constexpr int64_t ms_to_ticks(int64_t ms) {
  return ms * 90;
}

struct VideoParams {
  int width = 0;
  int height = 0;
  double fps = 0;  // 0 when the SPS carries no timing information
  uint8_t profile = 0;
  uint8_t level = 0;
};

struct AudioParams {
  int sample_rate = 0;
  int channels = 0;
  int object_type = 0;  // AAC audio object type (2 = LC)
};

struct MediaPacket {
  PacketKind kind = PacketKind::kVideo;
  Codec codec = Codec::kUnknown;
  bool keyframe = false;  // video: an IDR access unit; audio and configs: always true
  int64_t dts = 0;
  int64_t pts = 0;
  // Incremented by the input on every new publisher connection: outputs treat a change as a discontinuity.
  uint32_t epoch = 0;
  Bytes payload;
  // Set on config packets (and carried from the config to help stats): what the SPS / ASC says.
  VideoParams video;
  AudioParams audio;

  bool is_config() const { return kind == PacketKind::kVideoConfig || kind == PacketKind::kAudioConfig; }
  bool is_video() const { return kind == PacketKind::kVideoConfig || kind == PacketKind::kVideo; }

  // The FLV tag body is this prefix followed by the payload: built here once so every RTMP destination shares
  // the payload bytes as they are and writes only the prefix and its own chunk headers.
  struct FlvPrefix {
    std::array<uint8_t, 5> bytes{};
    uint8_t size = 0;
  };
  FlvPrefix flv_prefix() const;
  size_t flv_body_size() const { return flv_prefix().size + payload.size(); }
};

using MediaPacketPtr = std::shared_ptr<const MediaPacket>;

// The epoch of a new publisher connection: unique in the process (and below the slate's 0x80000000 range), so
// two inputs of one channel (SRT and RTMP, primary and backup) never share one.
uint32_t next_input_epoch();

// A copy of an H.264 keyframe with the SPS/PPS of `video_config` (an AVCDecoderConfigurationRecord) in front,
// for receivers that read in-band parameter sets and ignore a later sequence header; the keyframe as it is
// when the record cannot be read.
MediaPacketPtr with_parameter_sets(const MediaPacket& keyframe, const MediaPacket* video_config);

// A packet being built at ingest (keyframe set: callers clear it for inter frames); frozen once published.
inline std::shared_ptr<MediaPacket> make_media_packet(PacketKind kind, Codec codec, int64_t pts, int64_t dts,
                                                      uint32_t epoch) {
  auto p = std::make_shared<MediaPacket>();
  p->kind = kind;
  p->codec = codec;
  p->pts = pts;
  p->dts = dts;
  p->epoch = epoch;
  p->keyframe = true;
  return p;
}

}  // namespace lunora::media
