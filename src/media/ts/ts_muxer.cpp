#include "media/ts/ts_muxer.hpp"

#include "media/ts/ts_pes.hpp"
#include "media/ts/ts_psi.hpp"

namespace lunora::media {
namespace {

using ts::kPacketSize;

constexpr size_t kHeaderSize = 4;
constexpr size_t kPayloadCapacity = kPacketSize - kHeaderSize;
// PCR runs this far behind DTS so a decoder has buffered a frame before it is due.
constexpr int64_t kPcrDelay = 9000;
// Audio-only streams have no keyframes to hang PAT/PMT on; repeat them at this interval instead.
constexpr int64_t kAudioOnlyPsiInterval = 45000;
constexpr uint8_t kAudNal[] = {0x00, 0x00, 0x00, 0x01, 0x09, 0xF0};  // AUD, primary_pic_type 7 (any)
constexpr uint8_t kStartCode[] = {0x00, 0x00, 0x00, 0x01};

void put_packet_header(Bytes& out, uint16_t pid, bool unit_start, bool adaptation, uint8_t& cc) {
  put_u8(out, ts::kSyncByte);
  put_u16(out, static_cast<uint16_t>((unit_start ? 0x4000 : 0) | (pid & 0x1FFF)));
  put_u8(out, static_cast<uint8_t>((adaptation ? 0x30 : 0x10) | (cc & 0x0F)));
  cc = (cc + 1) & 0x0F;
}

// Adaptation field contents after its length byte: flags, then the PCR when present (2.4.3.5).
Bytes adaptation_body(bool random_access, std::optional<int64_t> pcr) {
  if (!random_access && !pcr) return {};
  Bytes af;
  put_u8(af, static_cast<uint8_t>((random_access ? 0x40 : 0) | (pcr ? 0x10 : 0)));
  if (pcr) {
    const uint64_t base = static_cast<uint64_t>(*pcr) & (ts::kTimestampModulus - 1);
    put_u32(af, static_cast<uint32_t>(base >> 1));
    put_u8(af, static_cast<uint8_t>(((base & 1) << 7) | 0x7E));  // 6 reserved bits, extension 0 (high bit)
    put_u8(af, 0);
  }
  return af;
}

// Writes `payload` as TS packets of `pid`; the first carries `first_af` (flags/PCR) and any packet whose
// payload does not fill it is padded with adaptation field stuffing.
void packetize(Bytes& out, uint16_t pid, uint8_t& cc, ByteSpan payload, const Bytes& first_af) {
  bool first = true;
  do {
    Bytes af = first ? first_af : Bytes{};
    bool has_af = !af.empty();
    const size_t space = kPayloadCapacity - (has_af ? 1 + af.size() : 0);
    const size_t chunk = std::min(space, payload.size());
    size_t stuffing = space - chunk;
    if (stuffing > 0 && !has_af) {
      has_af = true;  // the length byte itself takes one byte of the stuffing
      --stuffing;
      if (stuffing > 0) {
        put_u8(af, 0x00);  // flags
        --stuffing;
      }
    }
    af.insert(af.end(), stuffing, 0xFF);
    put_packet_header(out, pid, first, has_af, cc);
    if (has_af) {
      put_u8(out, static_cast<uint8_t>(af.size()));
      put_bytes(out, af);
    }
    put_bytes(out, payload.first(chunk));
    payload = payload.subspan(chunk);
    first = false;
  } while (!payload.empty());
}

void packetize_section(Bytes& out, uint16_t pid, uint8_t& cc, const Bytes& section) {
  put_packet_header(out, pid, true, false, cc);
  put_u8(out, 0);  // pointer_field
  put_bytes(out, section);
  out.insert(out.end(), kPayloadCapacity - 1 - section.size(), 0xFF);
}

}  // namespace

void TsMuxer::write(const MediaPacket& packet, int64_t dts, int64_t pts, Bytes& out) {
  switch (packet.kind) {
    case PacketKind::kVideoConfig: {
      auto config = h264::parse_avc_decoder_config(packet.payload);
      if (!config) return;
      if (!video_) psi_dirty_ = true;
      video_ = std::move(*config);
      return;
    }
    case PacketKind::kAudioConfig: {
      auto config = aac::parse_audio_specific_config(packet.payload);
      if (!config) return;
      if (!audio_) psi_dirty_ = true;
      audio_ = *config;
      return;
    }
    case PacketKind::kVideo:
      return write_video(packet, {dts, pts}, out);
    case PacketKind::kAudio:
      return write_audio(packet, {dts, pts}, out);
  }
}

void TsMuxer::write_video(const MediaPacket& packet, Stamp at, Bytes& out) {
  if (!video_) return;  // without SPS/PPS no receiver could decode it
  auto nals = h264::split_avcc(packet.payload, video_->nal_length_size);
  if (!nals) return;
  Bytes es(std::begin(kAudNal), std::end(kAudNal));
  auto put_nal = [&es](ByteSpan nal) {
    put_bytes(es, kStartCode);
    put_bytes(es, nal);
  };
  if (packet.keyframe) {
    for (const Bytes& sps : video_->sps) put_nal(sps);
    for (const Bytes& pps : video_->pps) put_nal(pps);
  }
  for (ByteSpan nal : *nals) {
    if (h264::nal_type(nal) != h264::kNalAud) put_nal(nal);
  }
  if (packet.keyframe || psi_dirty_) write_psi(out);
  write_pes(kVideoPid, ts::kStreamIdVideo, packet, at, es, true, out);
}

void TsMuxer::write_audio(const MediaPacket& packet, Stamp at, Bytes& out) {
  if (!audio_) return;
  Bytes es = aac::build_adts_header(*audio_, packet.payload.size());
  put_bytes(es, packet.payload);
  const bool audio_carries_pcr = !video_;
  if (psi_dirty_ ||
      (audio_carries_pcr && (!last_psi_dts_ || at.dts - *last_psi_dts_ >= kAudioOnlyPsiInterval))) {
    write_psi(out);
    last_psi_dts_ = at.dts;
  }
  write_pes(kAudioPid, ts::kStreamIdAudio, packet, at, es, audio_carries_pcr, out);
}

void TsMuxer::write_psi(Bytes& out) {
  std::vector<TsStreamInfo> streams;
  if (video_) streams.push_back({kVideoPid, ts::kStreamTypeH264, Codec::kH264});
  if (audio_) streams.push_back({kAudioPid, ts::kStreamTypeAacAdts, Codec::kAac});
  if (psi_dirty_ && streams.size() != pmt_stream_count_) {
    // The stream set changed since the last PMT: receivers re-read a PMT only when its version moves.
    if (pmt_stream_count_ != 0) pmt_version_ = (pmt_version_ + 1) & 0x1F;
    pmt_stream_count_ = streams.size();
  }
  const uint16_t pcr_pid = video_ ? kVideoPid : kAudioPid;
  packetize_section(out, ts::kPatPid, cc_pat_, ts::build_pat(kPmtPid));
  packetize_section(out, kPmtPid, cc_pmt_, ts::build_pmt(pmt_version_, pcr_pid, streams));
  psi_dirty_ = false;
}

void TsMuxer::write_pes(uint16_t pid, uint8_t stream_id, const MediaPacket& packet, Stamp at, const Bytes& es,
                        bool with_pcr, Bytes& out) {
  const bool video = pid == kVideoPid;
  Bytes pes = ts::build_pes_header(stream_id, at.pts, at.dts, es.size(), !video);
  put_bytes(pes, es);
  const std::optional<int64_t> pcr = with_pcr ? std::optional<int64_t>(at.dts - kPcrDelay) : std::nullopt;
  const Bytes af = adaptation_body(video && packet.keyframe, pcr);
  packetize(out, pid, video ? cc_video_ : cc_audio_, pes, af);
}

}  // namespace lunora::media
