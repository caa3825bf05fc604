#include "media/ts/ts_es_decoders.hpp"

#include <algorithm>

#include "media/codec/aac.hpp"
#include "media/codec/h264.hpp"

namespace lunora::media::ts {
namespace {

constexpr int64_t kAacSamplesPerFrame = 1024;

// Parameter sets of one access unit, replacing the previous ones of the same type when present.
void collect_parameter_set(std::vector<Bytes>& sets, bool& replaced, ByteSpan nal) {
  if (!replaced) sets.clear();
  replaced = true;
  for (const Bytes& existing : sets) {
    if (std::ranges::equal(existing, nal)) return;
  }
  sets.emplace_back(nal.begin(), nal.end());
}

}  // namespace

bool H264EsDecoder::decode(ByteSpan es, int64_t pts, int64_t dts, const EmitPacket& emit) {
  bool keyframe = false;
  bool new_sps = false;
  bool new_pps = false;
  Bytes frame;
  for (ByteSpan nal : h264::split_annexb(es)) {
    switch (h264::nal_type(nal)) {
      case h264::kNalSps:
        collect_parameter_set(sps_, new_sps, nal);
        break;
      case h264::kNalPps:
        collect_parameter_set(pps_, new_pps, nal);
        break;
      case h264::kNalAud:
        break;
      case h264::kNalIdr:
        keyframe = true;
        [[fallthrough]];
      default:
        h264::append_avcc(frame, nal);
    }
  }
  bool ok = true;
  if ((new_sps || new_pps) && !sps_.empty() && !pps_.empty()) ok = emit_config_if_changed(pts, dts, emit);
  if (!last_config_ || frame.empty()) return ok;
  auto p = make_media_packet(PacketKind::kVideo, Codec::kH264, pts, dts, epoch_);
  p->keyframe = keyframe;
  p->payload = std::move(frame);
  emit(std::move(p));
  return ok;
}

bool H264EsDecoder::emit_config_if_changed(int64_t pts, int64_t dts, const EmitPacket& emit) {
  h264::AvcConfig config;
  config.sps = sps_;
  config.pps = pps_;
  Bytes record = h264::build_avc_decoder_config(config);
  if (last_config_ && *last_config_ == record) return true;
  auto sps = h264::parse_sps(sps_.front());
  if (!sps) return false;
  auto p = make_media_packet(PacketKind::kVideoConfig, Codec::kH264, pts, dts, epoch_);
  p->video = VideoParams{sps->width, sps->height, sps->fps, sps->profile_idc, sps->level_idc};
  p->payload = record;
  last_config_ = std::move(record);
  emit(std::move(p));
  return true;
}

bool AacEsDecoder::decode(ByteSpan es, int64_t pts, const EmitPacket& emit) {
  int64_t frames_before = 0;
  while (!es.empty()) {
    auto header = aac::parse_adts_header(es);
    if (!header || header->frame_length > es.size()) return false;
    const aac::AudioSpecificConfig& config = header->config;
    const int64_t frame_pts =
        pts + frames_before * kAacSamplesPerFrame * kTicksPerSecond / config.sample_rate;
    const AudioParams params{config.sample_rate, config.channels, config.object_type};
    Bytes asc = aac::build_audio_specific_config(config);
    if (!last_config_ || *last_config_ != asc) {
      auto c = make_media_packet(PacketKind::kAudioConfig, Codec::kAac, frame_pts, frame_pts, epoch_);
      c->audio = params;
      c->payload = asc;
      last_config_ = std::move(asc);
      emit(std::move(c));
    }
    const ByteSpan raw = es.subspan(header->header_size, header->frame_length - header->header_size);
    if (!raw.empty()) {
      auto p = make_media_packet(PacketKind::kAudio, Codec::kAac, frame_pts, frame_pts, epoch_);
      p->audio = params;
      p->payload.assign(raw.begin(), raw.end());
      emit(std::move(p));
    }
    frames_before += header->raw_blocks;
    es = es.subspan(header->frame_length);
  }
  return true;
}

}  // namespace lunora::media::ts
