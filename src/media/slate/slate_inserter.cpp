#include "media/slate/slate_inserter.hpp"

#include <spdlog/spdlog.h>

#include <cmath>

#include "media/codec/h264.hpp"

namespace lunora::media {
namespace {

int64_t ticks_between(SlateInserter::Clock::time_point from, SlateInserter::Clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::microseconds>(to - from).count() * kTicksPerSecond /
         1'000'000;
}

}  // namespace

SlateInserter::SlateInserter(Hub& hub, SlateInserterOptions options)
    : hub_(hub), options_(std::move(options)) {}

void SlateInserter::publish(const MediaPacketPtr& packet, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (packet->kind == PacketKind::kVideoConfig) input_video_config_ = packet;
  if (packet->kind == PacketKind::kAudioConfig) input_audio_config_ = packet;
  MediaPacketPtr forward = packet;
  if (running_) {
    // The slate holds the destinations until the input can take over cleanly: at a video keyframe (any audio
    // frame when the input has no video).
    const bool takes_over = packet->kind == PacketKind::kVideo
                                ? packet->keyframe
                                : packet->kind == PacketKind::kAudio && !input_video_config_;
    if (!takes_over) {
      if (!packet->is_config()) ++stats_.dropped_packets;
      return;
    }
    switch_back(packet, now);
    if (packet->kind == PacketKind::kVideo) {
      // The slate's keyframes carried its SPS/PPS in-band; the input's first keyframe after it carries the
      // input's.
      forward = with_parameter_sets(*packet, input_video_config_.get());
      // Audio muxed after the keyframe but stamped before it would land on the slate's last audio.
      audio_resumes_at_ = {packet->epoch, packet->dts};
    }
  } else if (audio_resumes_at_ && packet->kind == PacketKind::kAudio) {
    if (packet->epoch == audio_resumes_at_->first && packet->dts < audio_resumes_at_->second) {
      ++stats_.dropped_packets;
      return;
    }
    audio_resumes_at_.reset();
  }
  if (!packet->is_config()) {
    last_input_at_ = now;
    if (packet->kind == PacketKind::kVideo) {
      last_video_dts_ = packet->dts;
      if (packet->keyframe)
        composition_delay_ = std::clamp<int64_t>(packet->pts - packet->dts, 0, kTicksPerSecond);
    } else {
      if (last_audio_dts_ && packet->dts > *last_audio_dts_ &&
          packet->dts - *last_audio_dts_ < kTicksPerSecond) {
        input_audio_frame_ticks_ = packet->dts - *last_audio_dts_;
      }
      last_audio_dts_ = packet->dts;
    }
  }
  hub_.publish(forward);
}

void SlateInserter::switch_back(const MediaPacketPtr& packet, Clock::time_point now) {
  finished_slate_time_ += now - running_->started;
  running_.reset();
  stats_.slate_on = false;
  spdlog::info("event=slate_off reason=input_back");
  // The destinations last saw the slate's configuration: the input's goes out again before its keyframe.
  for (const auto& config : {input_video_config_, input_audio_config_}) {
    if (config && config != packet) hub_.publish(config);
  }
}

void SlateInserter::set_options(SlateInserterOptions options) {
  std::lock_guard lock(mutex_);
  options_ = std::move(options);
}

void SlateInserter::tick(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (!running_) {
    if (options_.slate_after.count() <= 0) return;
    if (!last_input_at_ || !input_video_config_ || now - *last_input_at_ < options_.slate_after) return;
    if (!start_slate(now)) return;
  }
  send_due(now);
}

SlateSpec SlateInserter::spec_for_input() const {
  SlateSpec spec;
  const VideoParams& video = input_video_config_->video;
  spec.width = video.width & ~1;
  spec.height = video.height & ~1;
  spec.fps = video.fps >= 1 && video.fps <= 120 ? video.fps : 30;
  spec.profile_idc = video.profile != 0 ? video.profile : 100;
  spec.sample_rate = input_audio_config_ ? input_audio_config_->audio.sample_rate : 0;
  spec.channels = input_audio_config_ ? std::clamp(input_audio_config_->audio.channels, 1, 2) : 2;
  return spec;
}

bool SlateInserter::start_slate(Clock::time_point now) {
  const SlateSpec spec = spec_for_input();
  // Encoded again when the input's format or the picture changed (never while on the wire: not running here).
  if (!slate_ || !(slate_spec_ == spec) || slate_image_ != options_.image) {
    slate_.reset();
    const ByteSpan image = options_.image.empty() ? default_slate_image() : ByteSpan(options_.image);
    auto encoded = encode_slate(image, spec);
    if (!encoded) {
      if (stats_.last_error != encoded.error().message()) {
        stats_.last_error = encoded.error().message();
        spdlog::warn("event=slate_failed error=\"{}\"", stats_.last_error);
      }
      last_input_at_.reset();  // no retry storm: the next input media re-arms it
      return false;
    }
    slate_ = std::move(encoded).value();
    slate_spec_ = spec;
    slate_image_ = options_.image;
    stats_.last_error.clear();
  }
  Running running;
  running.slate = &*slate_;
  running.started = now;
  // Input epochs count up from 0; the slate's have the top bit set, so they never meet one.
  running.epoch = 0x8000'0000u | static_cast<uint32_t>(stats_.slates);
  running.base_dts = last_video_dts_ + slate_->frame_ticks;
  // The input's audio ran ahead of its video: the slate's audio starts where the input's ended, not before.
  if (last_audio_dts_) {
    running.audio_start =
        std::max<int64_t>(0, *last_audio_dts_ + input_audio_frame_ticks_ - running.base_dts);
  }
  running_ = running;
  ++stats_.slates;
  stats_.slate_on = true;
  spdlog::info("event=slate_on after_ms={} size={}x{}", options_.slate_after.count(), spec.width,
               spec.height);
  hub_.publish(stamped(slate_->video_config, PacketKind::kVideoConfig, running.base_dts, running.epoch));
  if (slate_->has_audio) {
    hub_.publish(stamped(slate_->audio_config, PacketKind::kAudioConfig, running.base_dts, running.epoch));
  }
  return true;
}

void SlateInserter::send_due(Clock::time_point now) {
  Running& run = *running_;
  const Slate& slate = *run.slate;
  const int64_t elapsed = ticks_between(run.started, now);
  // Video and audio in timestamp order, up to now.
  while (true) {
    const uint64_t copy = run.video_frames / slate.gop.size();
    const SlateFrame& frame = slate.gop[run.video_frames % slate.gop.size()];
    const int64_t video_at = static_cast<int64_t>(copy) * slate.gop_ticks + frame.dts_offset;
    // Audio never runs ahead of the video already sent, so that the input's keyframe, spliced one frame after
    // the slate's last picture, is not older than the slate's last sound.
    const int64_t audio_at =
        slate.has_audio &&
                run.audio_start + static_cast<int64_t>(run.audio_frames) * slate.audio_frame_ticks <=
                    run.last_video_at
            ? run.audio_start + static_cast<int64_t>(run.audio_frames) * slate.audio_frame_ticks
            : INT64_MAX;
    const int64_t next = std::min(video_at, audio_at);
    if (next > elapsed) break;
    if (video_at <= audio_at) {
      run.last_video_at = video_at;
      const int64_t base = run.base_dts + static_cast<int64_t>(copy) * slate.gop_ticks;
      // Shown as late after decoding as the input's frames were (its B-frame delay): presentation times stay
      // in order across both splices, one frame apart.
      auto packet =
          make_media_packet(PacketKind::kVideo, Codec::kH264, base + frame.pts_offset + composition_delay_,
                            base + frame.dts_offset, run.epoch);
      packet->keyframe = frame.keyframe;
      packet->video = slate.video_config.video;
      packet->payload = frame.payload;
      hub_.publish(packet);
      ++run.video_frames;
    } else {
      const int64_t at = run.base_dts + audio_at;
      auto packet = make_media_packet(PacketKind::kAudio, Codec::kAac, at, at, run.epoch);
      packet->audio = slate.audio_config.audio;
      packet->payload = slate.silent_audio_frame;
      hub_.publish(packet);
      ++run.audio_frames;
    }
  }
}

MediaPacketPtr SlateInserter::stamped(const MediaPacket& model, PacketKind kind, int64_t dts,
                                      uint32_t epoch) {
  auto packet = make_media_packet(kind, model.codec, dts, dts, epoch);
  packet->video = model.video;
  packet->audio = model.audio;
  packet->payload = model.payload;
  return packet;
}

SlateInserterStats SlateInserter::stats(Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  SlateInserterStats stats = stats_;
  auto total = finished_slate_time_;
  if (running_) total += now - running_->started;
  stats.slate_seconds = total.count();
  return stats;
}

}  // namespace lunora::media
