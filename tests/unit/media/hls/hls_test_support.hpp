// Valid H.264/AAC packets for the HLS tests: a real SPS/PPS (from testdata/small.ts) so the TsDemuxer can
// read the segments back, and tiny slice NAL units so the tests control every timestamp and keyframe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "media/codec/aac.hpp"
#include "media/codec/h264.hpp"
#include "media/media_packet.hpp"
#include "unit/media/ts/ts_test_support.hpp"

namespace lunora::media::hls_test {

inline MediaPacketPtr video_config(uint32_t epoch = 1, uint8_t pps_variant = 0xb0) {
  h264::AvcConfig config;
  config.sps = {{0x67, 0x64, 0x00, 0x0d, 0xac, 0xd9, 0x41, 0x41, 0xfb, 0x01, 0x10, 0x00, 0x00,
                 0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0x20, 0xf1, 0x42, 0x99, 0x60}};
  config.pps = {{0x68, 0xef, 0xbc, pps_variant}};
  auto p = make_media_packet(PacketKind::kVideoConfig, Codec::kH264, 0, 0, epoch);
  p->payload = h264::build_avc_decoder_config(config);
  return p;
}

inline MediaPacketPtr audio_config(uint32_t epoch = 1) {
  aac::AudioSpecificConfig asc;
  asc.object_type = 2;
  asc.sample_rate = 48000;
  asc.sampling_index = aac::index_from_sample_rate(48000);
  asc.channels = 1;
  auto p = make_media_packet(PacketKind::kAudioConfig, Codec::kAac, 0, 0, epoch);
  p->payload = aac::build_audio_specific_config(asc);
  return p;
}

// One access unit: an IDR slice or a non-IDR slice, `size` bytes of NAL.
inline MediaPacketPtr frame(int64_t dts_ticks, bool key, uint32_t epoch = 1, size_t size = 600) {
  auto p = make_media_packet(PacketKind::kVideo, Codec::kH264, dts_ticks, dts_ticks, epoch);
  p->keyframe = key;
  Bytes nal(size, 0x5a);
  nal[0] = key ? 0x65 : 0x41;
  h264::append_avcc(p->payload, nal);
  return p;
}

inline MediaPacketPtr aac_frame(int64_t dts_ticks, uint32_t epoch = 1) {
  auto p = make_media_packet(PacketKind::kAudio, Codec::kAac, dts_ticks, dts_ticks, epoch);
  p->payload.assign(120, 0x21);
  return p;
}

constexpr int64_t kFrameTicks = 3600;  // 25 fps
constexpr int64_t kAacTicks = 1920;    // 1024 samples at 48 kHz

// `seconds` of 25 fps video with a keyframe every `gop` frames and interleaved AAC, DTS from `start`.
inline std::vector<MediaPacketPtr> stream(double seconds, int gop, int64_t start = 0, uint32_t epoch = 1,
                                          bool with_audio = true) {
  std::vector<MediaPacketPtr> out;
  const int64_t end = start + static_cast<int64_t>(seconds * kTicksPerSecond);
  int64_t audio = start;
  int n = 0;
  for (int64_t v = start; v < end; v += kFrameTicks, ++n) {
    while (with_audio && audio <= v) {
      out.push_back(aac_frame(audio, epoch));
      audio += kAacTicks;
    }
    out.push_back(frame(v, n % gop == 0, epoch));
  }
  return out;
}

inline std::vector<MediaPacketPtr> audio_stream(double seconds, int64_t start = 0, uint32_t epoch = 1) {
  std::vector<MediaPacketPtr> out;
  const int64_t end = start + static_cast<int64_t>(seconds * kTicksPerSecond);
  for (int64_t a = start; a < end; a += kAacTicks) out.push_back(aac_frame(a, epoch));
  return out;
}

// The EXTINF durations of a playlist, in order.
inline std::vector<double> extinf(const std::string& playlist) {
  std::vector<double> out;
  size_t pos = 0;
  while ((pos = playlist.find("#EXTINF:", pos)) != std::string::npos) {
    pos += 8;
    out.push_back(std::stod(playlist.substr(pos)));
  }
  return out;
}

// The integer value of `tag` (e.g. "#EXT-X-TARGETDURATION:"), or -1 when absent.
inline int64_t tag_value(const std::string& playlist, const std::string& tag) {
  const size_t pos = playlist.find(tag);
  if (pos == std::string::npos) return -1;
  return std::stoll(playlist.substr(pos + tag.size()));
}

inline size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

inline uint16_t ts_pid(const Bytes& ts, size_t packet) {
  return static_cast<uint16_t>(((ts[packet * 188 + 1] & 0x1F) << 8) | ts[packet * 188 + 2]);
}

}  // namespace lunora::media::hls_test
