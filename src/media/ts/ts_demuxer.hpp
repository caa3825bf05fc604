// MPEG-TS demultiplexer: 188-byte packets -> PAT -> PMT -> PES -> MediaPackets. Fed arbitrary byte chunks
// (SRT payloads are 1316 bytes, but nothing here assumes it); resynchronises on garbage.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "core/byte_io.hpp"
#include "media/media_packet.hpp"

namespace lunora::media {

struct TsStreamInfo {
  uint16_t pid = 0;
  uint8_t stream_type = 0;  // PMT stream_type (0x1B H.264, 0x0F AAC ADTS, 0x24 HEVC, ...)
  Codec codec = Codec::kUnknown;
};

class TsDemuxerCallbacks {
 public:
  virtual ~TsDemuxerCallbacks() = default;
  // Every H.264 access unit and every AAC frame, in stream order. A config packet (kVideoConfig with the
  // AVCDecoderConfigurationRecord built from the in-band SPS/PPS, kAudioConfig with the AudioSpecificConfig
  // built from the ADTS header) comes before the first frame and again whenever the configuration changes.
  // Video payloads are AVCC without AUD/SPS/PPS NAL units; audio payloads are raw AAC without ADTS.
  virtual void on_media(MediaPacketPtr packet) = 0;
  // The PMT was parsed for the first time or changed version: every elementary stream it lists, including
  // those whose codec Lunora cannot pass through (the input reports them so an output can refuse clearly).
  virtual void on_program(const std::vector<TsStreamInfo>& streams) = 0;
};

struct TsDemuxerStats {
  uint64_t packets = 0;
  uint64_t resyncs = 0;            // times the demuxer searched for a sync byte
  uint64_t continuity_errors = 0;  // lost or duplicated TS packets
  uint64_t pes_errors = 0;         // malformed PES or elementary stream data dropped
  uint64_t psi_errors = 0;         // PAT/PMT sections with a bad CRC or layout, ignored
};

class TsDemuxer {
 public:
  // `epoch` is stamped on every packet (see MediaPacket::epoch).
  TsDemuxer(TsDemuxerCallbacks& callbacks, uint32_t epoch);
  ~TsDemuxer();
  TsDemuxer(const TsDemuxer&) = delete;
  TsDemuxer& operator=(const TsDemuxer&) = delete;

  void feed(ByteSpan data);
  // Emits what is buffered in unfinished PES packets (end of stream).
  void flush();
  const TsDemuxerStats& stats() const { return stats_; }

 private:
  struct State;
  TsDemuxerCallbacks& callbacks_;
  std::unique_ptr<State> state_;
  TsDemuxerStats stats_;
};

}  // namespace lunora::media
