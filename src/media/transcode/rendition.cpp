#include "media/transcode/rendition.hpp"

#include <chrono>

namespace lunora::media {
namespace {

// The speed is judged over windows of this much media time; this many slow ones in a row is "overloaded".
constexpr double kWindowSeconds = 2.0;
constexpr int kSlowWindows = 3;

}  // namespace

Result<std::shared_ptr<Rendition>> Rendition::start(const VideoProfile& profile) {
  auto video = VideoTranscoder::create(profile);
  if (!video) return video.error();
  auto rendition = std::make_shared<Rendition>(std::move(*video));
  rendition->queue_.set_gop_only(false);  // live from the start: overflow drops and counts
  rendition->thread_ = std::thread([raw = rendition.get()] { raw->run(); });
  return rendition;
}

Rendition::Rendition(std::unique_ptr<VideoTranscoder> video) : video_(std::move(video)) {}

Rendition::~Rendition() {
  stop();
}

void Rendition::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void Rendition::offer(const MediaPacketPtr& packet) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    queue_.push(packet);
  }
  wake_.notify_one();
}

void Rendition::on_input_codecs(const InputCodecs& codecs) {
  {
    std::lock_guard lock(mutex_);
    codecs_ = codecs;
    codecs_changed_ = true;
  }
  wake_.notify_one();
}

Rendition::Stats Rendition::stats() const {
  std::lock_guard lock(mutex_);
  Stats stats = stats_;
  stats.dropped_packets = queue_.dropped_packets();
  return stats;
}

void Rendition::run() {
  std::vector<MediaPacketPtr> batch;
  while (true) {
    InputCodecs codecs;
    bool codecs_changed = false;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty() || codecs_changed_; });
      if (stopping_) return;
      queue_.take_all(batch);
      codecs_changed = codecs_changed_;
      codecs_changed_ = false;
      codecs = codecs_;
    }
    if (codecs_changed) {
      // The rendition carries H.264 whatever the input's video was decoded from; the audio as it comes.
      hub_.set_input_codecs({codecs.video == Codec::kUnknown ? Codec::kUnknown : Codec::kH264, codecs.audio});
    }
    for (const auto& packet : batch) transcode(packet);
    batch.clear();
  }
}

void Rendition::transcode(const MediaPacketPtr& packet) {
  if (!packet->is_video()) {
    hub_.publish(packet);  // audio passes through, on the input's timeline like the video
    return;
  }
  const auto busy_before = video_->stats().busy_seconds;
  Status done = video_->push(*packet, [this](MediaPacket out) {
    hub_.publish(std::make_shared<const MediaPacket>(std::move(out)));
  });
  double media_seconds = 0;
  if (packet->kind == PacketKind::kVideo) {
    if (last_video_pts_ >= 0 && packet->pts > last_video_pts_) {
      media_seconds = static_cast<double>(packet->pts - last_video_pts_) / kTicksPerSecond;
    }
    last_video_pts_ = packet->pts;
  }
  update_speed(media_seconds, video_->stats().busy_seconds - busy_before);
  std::lock_guard lock(mutex_);
  stats_.video = video_->stats();
  stats_.input_seconds += media_seconds;
  if (!done && stats_.error.empty()) stats_.error = done.error().message();
}

void Rendition::update_speed(double media_seconds, double busy_seconds) {
  window_media_ += media_seconds;
  window_busy_ += busy_seconds;
  if (window_media_ < kWindowSeconds) return;
  const double speed = window_busy_ > 0 ? window_media_ / window_busy_ : 0;
  window_media_ = 0;
  window_busy_ = 0;
  std::lock_guard lock(mutex_);
  // Dropped packets count too: after a drop the media time jumps, and the speed alone would look fine.
  const bool dropped = queue_.dropped_packets() > window_dropped_;
  window_dropped_ = queue_.dropped_packets();
  slow_windows_ = speed < 1.0 || dropped ? slow_windows_ + 1 : 0;
  stats_.speed = speed;
  stats_.overloaded = slow_windows_ >= kSlowWindows;
}

}  // namespace lunora::media
