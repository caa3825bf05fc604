// MPEG-TS multiplexer for SRT outputs (and HLS segments later): MediaPackets -> 188-byte TS packets.
// PAT/PMT before every keyframe, PCR on the video PID, AVCC -> Annex-B with AUD and SPS/PPS before IDRs,
// raw AAC -> ADTS.
#pragma once

#include <cstdint>
#include <optional>

#include "core/byte_io.hpp"
#include "media/codec/aac.hpp"
#include "media/codec/h264.hpp"
#include "media/media_packet.hpp"

namespace lunora::media {

class TsMuxer {
 public:
  static constexpr uint16_t kPmtPid = 0x1000;
  static constexpr uint16_t kVideoPid = 0x100;
  static constexpr uint16_t kAudioPid = 0x101;

  // Appends the TS packets for `packet` to `out` (a multiple of 188 bytes). Config packets update the muxer's
  // state and write nothing. Timestamps are taken as given (90 kHz) modulo 2^33.
  void write(const MediaPacket& packet, Bytes& out) { write(packet, packet.dts, packet.pts, out); }
  // The same with the packet's timestamps replaced by `dts` and `pts` (a destination's own clock).
  void write(const MediaPacket& packet, int64_t dts, int64_t pts, Bytes& out);

 private:
  struct Stamp {
    int64_t dts;
    int64_t pts;
  };
  void write_video(const MediaPacket& packet, Stamp at, Bytes& out);
  void write_audio(const MediaPacket& packet, Stamp at, Bytes& out);
  void write_psi(Bytes& out);
  void write_pes(uint16_t pid, uint8_t stream_id, const MediaPacket& packet, Stamp at, const Bytes& es,
                 bool with_pcr, Bytes& out);

  std::optional<h264::AvcConfig> video_;
  std::optional<aac::AudioSpecificConfig> audio_;
  bool psi_dirty_ = true;
  uint8_t pmt_version_ = 0;
  size_t pmt_stream_count_ = 0;          // streams in the last PMT written
  std::optional<int64_t> last_psi_dts_;  // audio-only streams repeat PAT/PMT on a timer

  uint8_t cc_pat_ = 0;
  uint8_t cc_pmt_ = 0;
  uint8_t cc_video_ = 0;
  uint8_t cc_audio_ = 0;
};

}  // namespace lunora::media
