#include "media/hls/hls_segmenter.hpp"

#include <algorithm>
#include <cstdio>

namespace lunora::media {
namespace {

int64_t ceil_seconds(int64_t ticks) {
  return ticks <= 0 ? 0 : (ticks + kTicksPerSecond - 1) / kTicksPerSecond;
}

bool supported(const MediaPacket& packet) {
  return packet.is_video() ? packet.codec == Codec::kH264 : packet.codec == Codec::kAac;
}

}  // namespace

HlsSegmenter::HlsSegmenter(HlsSegmenterOptions options) : options_(std::move(options)) {
  options_.window = std::max<size_t>(options_.window, 1);
}

void HlsSegmenter::feed(const MediaPacket& packet) {
  if (!supported(packet)) return unsupported(packet);
  if (packet.is_config()) return on_config(packet);
  on_media(packet);
}

void HlsSegmenter::flush() {
  if (!open_) return;
  close_segment(std::nullopt);
  pending_discontinuity_ = true;
}

void HlsSegmenter::unsupported(const MediaPacket& packet) {
  if (!packet.is_config()) ++stats_.skipped_packets;
  if (unsupported_reported_) return;
  unsupported_reported_ = true;
  error("the input carries " + std::string(codec_name(packet.codec)) +
        "; HLS segments carry H.264 and AAC only, so that track is left out");
}

void HlsSegmenter::error(std::string message) {
  ++stats_.errors;
  stats_.last_error = std::move(message);
}

void HlsSegmenter::on_config(const MediaPacket& packet) {
  const bool video = packet.kind == PacketKind::kVideoConfig;
  std::optional<MediaPacket>& stored = video ? video_config_ : audio_config_;
  // A changed configuration (new resolution, new encoder) or video appearing in an audio-only stream cannot
  // continue the open segment: close it and start the next one as a discontinuity at the next cut point.
  const bool changed = stored ? stored->payload != packet.payload : (video && open_.has_value());
  stored = packet;
  if (changed) {
    if (open_) close_segment(std::nullopt);
    pending_discontinuity_ = pending_discontinuity_ || next_sequence_ > 0;
    return;
  }
  if (open_) open_->muxer.write(packet, open_->bytes);  // e.g. the first audio config after video started
}

bool HlsSegmenter::is_discontinuity(const MediaPacket& packet) const {
  if (epoch_ && *epoch_ != packet.epoch) return true;
  const std::optional<int64_t>& last = packet.is_video() ? last_video_dts_ : last_audio_dts_;
  return last &&
         (packet.dts < *last - options_.max_jump_ticks || packet.dts > *last + options_.max_jump_ticks);
}

void HlsSegmenter::on_media(const MediaPacket& packet) {
  const bool video = packet.is_video();
  if ((video && !video_config_) || (!video && !audio_config_)) {
    ++stats_.skipped_packets;  // the muxer could not describe it to a decoder
    return;
  }
  if (is_discontinuity(packet)) {
    if (open_) close_segment(std::nullopt);
    pending_discontinuity_ = pending_discontinuity_ || next_sequence_ > 0;
    last_video_dts_.reset();
    last_audio_dts_.reset();
  }
  epoch_ = packet.epoch;
  (video ? last_video_dts_ : last_audio_dts_) = packet.dts;

  const bool timing_track = video == has_video();
  const bool cut_point = timing_track && (!video || packet.keyframe);
  if (cut_point) {
    if (!open_) {
      start_segment(packet);
    } else if (packet.dts - open_->start_dts >= options_.target_duration_ticks) {
      close_segment(packet.dts);
      start_segment(packet);
    }
  }
  if (!open_) {
    ++stats_.skipped_packets;  // waiting for a keyframe
    return;
  }
  open_->muxer.write(packet, open_->bytes);
  if (timing_track && packet.dts > open_->last_dts) {
    open_->last_step = packet.dts - open_->last_dts;
    open_->last_dts = packet.dts;
  }
  if (open_->bytes.size() > options_.max_segment_bytes) drop_open_segment();
}

void HlsSegmenter::start_segment(const MediaPacket& first) {
  open_.emplace();
  open_->start_dts = first.dts;
  open_->last_dts = first.dts;
  open_->discontinuity = pending_discontinuity_;
  pending_discontinuity_ = false;
  // A fresh muxer per segment: each one starts with PAT/PMT and SPS/PPS before its IDR, so it decodes alone.
  if (video_config_) open_->muxer.write(*video_config_, open_->bytes);
  if (audio_config_) open_->muxer.write(*audio_config_, open_->bytes);
}

void HlsSegmenter::close_segment(std::optional<int64_t> end_dts) {
  if (!open_) return;
  OpenSegment open = std::move(*open_);
  open_.reset();
  if (open.bytes.empty()) return;  // nothing the muxer could write (malformed frames)
  HlsSegment segment;
  segment.sequence = next_sequence_++;
  segment.discontinuity = open.discontinuity;
  if (segment.discontinuity) {
    ++discontinuity_sequence_;
    ++stats_.discontinuities;
  }
  segment.discontinuity_sequence = discontinuity_sequence_;
  const int64_t end = end_dts ? *end_dts : open.last_dts + open.last_step;
  segment.duration_ticks = std::max<int64_t>(end - open.start_dts, 0);
  segment.name = options_.uri_prefix + std::to_string(segment.sequence) + options_.uri_suffix;
  stats_.bytes += open.bytes.size();
  ++stats_.segments;
  segment.bytes = std::make_shared<const Bytes>(std::move(open.bytes));
  target_duration_s_ = std::max(target_duration_s_, ceil_seconds(segment.duration_ticks));
  window_.push_back(std::move(segment));
  while (window_.size() > options_.window) window_.pop_front();
}

void HlsSegmenter::drop_open_segment() {
  ++stats_.dropped_segments;
  error("an HLS segment grew past " + std::to_string(options_.max_segment_bytes) +
        " bytes without a keyframe to cut at; it was dropped (is the encoder's keyframe interval too long?)");
  open_.reset();
  pending_discontinuity_ = true;
}

std::string HlsSegmenter::playlist() const {
  const int64_t target = window_.empty() ? ceil_seconds(options_.target_duration_ticks)
                                         : std::max<int64_t>(target_duration_s_, 1);
  std::string out = "#EXTM3U\n#EXT-X-VERSION:3\n";
  out += "#EXT-X-TARGETDURATION:" + std::to_string(target) + "\n";
  const uint64_t media_sequence = window_.empty() ? next_sequence_ : window_.front().sequence;
  out += "#EXT-X-MEDIA-SEQUENCE:" + std::to_string(media_sequence) + "\n";
  if (!window_.empty()) {
    // The first listed segment's own tag still counts for it (RFC 8216 6.2.2), so it is not included here.
    const HlsSegment& first = window_.front();
    const uint64_t dsn = first.discontinuity_sequence - (first.discontinuity ? 1 : 0);
    if (dsn > 0) out += "#EXT-X-DISCONTINUITY-SEQUENCE:" + std::to_string(dsn) + "\n";
  }
  for (const HlsSegment& segment : window_) {
    if (segment.discontinuity) out += "#EXT-X-DISCONTINUITY\n";
    char extinf[64];
    std::snprintf(extinf, sizeof extinf, "#EXTINF:%.3f,\n", segment.duration_seconds());
    out += extinf;
    out += segment.name;
    out += '\n';
  }
  return out;
}

std::shared_ptr<const Bytes> HlsSegmenter::segment(std::string_view name) const {
  for (const HlsSegment& segment : window_) {
    if (segment.name == name) return segment.bytes;
  }
  return nullptr;
}

}  // namespace lunora::media
