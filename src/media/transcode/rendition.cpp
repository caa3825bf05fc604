#include "media/transcode/rendition.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>

#include "media/codec/aac.hpp"

namespace lunora::media {
namespace {

// The speed is judged over windows of this much media time.
constexpr double kWindowSeconds = 2.0;
// The input's audio bitrate is measured over this much audio before the rendition chooses to pass it
// through or re-encode it; what arrives meanwhile waits (bounded).
constexpr int64_t kAudioMeasureTicks = kTicksPerSecond;
constexpr size_t kMaxHeldAudio = 400;
// Audio waiting for its video to leave the encoder: about 4 s of AAC at 48 kHz at most.
constexpr size_t kMaxWaitingAudio = 200;
// Re-encoding AAC costs quality: only audio clearly above the rendition's bitrate is re-encoded. Audio below
// it passes as it is (re-encoding cannot add what the input lacks).
constexpr double kAudioTolerance = 1.05;
// The longest a video frame lasts when judging speed (a 4 fps input).
constexpr double kMaxFrameSeconds = 0.25;
// The queue in front of the encoder: the channel's GOP cache arrives at once when the rendition starts (an
// encoder's GOP may be several seconds long), and a short stall must not drop what a faster preset can catch
// up with.
constexpr PacketQueueLimits kQueueLimits{8 * kTicksPerSecond, 48 << 20};

std::string next_thread_name() {
  static std::atomic<unsigned> counter{0};
  return "rendition-" + std::to_string(++counter % 100000);  // Linux keeps 15 characters of a thread name
}

}  // namespace

Status check_rendition_profile(const RenditionProfile& profile) {
  if (auto video = check_video_profile(profile.video); !video) return video;
  if (profile.audio_bitrate_kbps != 0 &&
      (profile.audio_bitrate_kbps < 32 || profile.audio_bitrate_kbps > 512)) {
    return Error(ErrorCode::kInvalidArgument, "audio_bitrate_kbps must be between 32 and 512");
  }
  return ok_status();
}

Result<std::shared_ptr<Rendition>> Rendition::start(const RenditionProfile& profile) {
  if (auto checked = check_rendition_profile(profile); !checked) return checked.error();
  auto rendition = std::make_shared<Rendition>(profile, next_thread_name());
  rendition->queue_.set_gop_only(false);  // live from the start: overflow drops and counts
  // The thread owns the rendition too: stop() never waits for it, and the last owner that lets go after it
  // ended joins a finished thread.
  rendition->thread_ = std::thread([self = rendition] { self->run(); });
  return rendition;
}

Rendition::Rendition(RenditionProfile profile, std::string thread_name)
    : profile_(std::move(profile)),
      thread_name_(std::move(thread_name)),
      queue_(kQueueLimits),
      cpu_(thread_name_),
      load_(profile_.video.preset) {
  stats_.preset = profile_.video.preset;
}

Rendition::~Rendition() {
  stop();
  if (!thread_.joinable()) return;
  if (thread_.get_id() == std::this_thread::get_id()) {
    thread_.detach();  // the thread's own reference was the last: it ends right after this
  } else {
    thread_.join();
  }
}

void Rendition::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_requested_ = true;  // read between packets: a batch of seconds of media is not finished first
  wake_.notify_one();
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

void Rendition::open_codecs() {
  pthread_setname_np(pthread_self(), thread_name_.c_str());
  auto video = VideoTranscoder::create(profile_.video);
  window_started_ = std::chrono::steady_clock::now();
  window_cpu_ = cpu_.seconds();
  if (video) {
    video_ = std::move(*video);
    return;
  }
  spdlog::error("event=rendition_failed error=\"{}\"", video.error().message());
  std::lock_guard lock(mutex_);
  stats_.error = video.error().message();
}

void Rendition::run() {
  open_codecs();
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
      has_video_ = codecs.video != Codec::kUnknown;
      std::lock_guard lock(mutex_);
      // Another input's codecs: what was wrong with the last one's is no longer (an encoder that failed to
      // open stays failed).
      if (video_) stats_.error.clear();
      if (codecs.video != Codec::kUnknown && codecs.video != Codec::kH264) {
        stats_.error = "the input's video is " + std::string(codec_name(codecs.video)) +
                       "; a rendition decodes H.264 only";
      }
    }
    for (const auto& packet : batch) {
      if (stop_requested_) return;
      if (video_) transcode(packet);  // without an encoder (it failed to open) the packets are dropped
    }
    batch.clear();
  }
}

void Rendition::publish(MediaPacket packet) {
  auto shared = std::make_shared<const MediaPacket>(std::move(packet));
  if (shared->is_video()) {
    publish_video(shared);
  } else {
    publish_audio(shared);
  }
}

void Rendition::publish_video(const MediaPacketPtr& packet) {
  if (packet->kind == PacketKind::kVideo) {
    if (packet->epoch != video_epoch_) {
      // Another publisher's first picture: what is left of the last one's audio goes first.
      while (!audio_waiting_.empty() && audio_waiting_.front()->epoch != packet->epoch) release_audio();
      video_epoch_ = packet->epoch;
    }
    video_dts_ = packet->dts;
  }
  hub_.publish(packet);
  if (packet->kind == PacketKind::kVideo) {
    while (!audio_waiting_.empty() && audio_due(*audio_waiting_.front())) release_audio();
  }
}

// Audio waits for the video of its time to leave the encoder (its lookahead holds frames back): the two
// tracks reach destinations interleaved, and a destination joining from the GOP cache gets both.
void Rendition::publish_audio(const MediaPacketPtr& packet) {
  if (!has_video_) {
    hub_.publish(packet);
    return;
  }
  audio_waiting_.push_back(packet);
  // Bounded: video that stopped coming out (a stalled or failing decode) must not hold the audio back.
  while (audio_waiting_.size() > kMaxWaitingAudio ||
         (!audio_waiting_.empty() && audio_due(*audio_waiting_.front()))) {
    release_audio();
  }
}

bool Rendition::audio_due(const MediaPacket& audio) const {
  return audio.is_config() || (audio.epoch == video_epoch_ && audio.pts <= video_dts_);
}

void Rendition::release_audio() {
  hub_.publish(audio_waiting_.front());
  audio_waiting_.pop_front();
}

void Rendition::transcode(const MediaPacketPtr& packet) {
  if (packet->epoch != input_epoch_) {
    // Another publisher (or the slate): an error of the last one's stream is no longer current.
    input_epoch_ = packet->epoch;
    std::lock_guard lock(mutex_);
    if (!stats_.error.starts_with("the input's video is")) stats_.error.clear();
  }
  if (!packet->is_video()) {
    take_audio(packet);
    return;
  }
  const auto busy_before = video_->stats().busy_seconds;
  Status done = video_->push(*packet, [this](MediaPacket out) { publish(std::move(out)); });
  double media_seconds = 0;
  if (packet->kind == PacketKind::kVideo) {
    if (last_video_dts_ >= 0 && packet->dts > last_video_dts_) {
      // A jump (packets dropped before the encoder, a gap in the input) is media not worked on: not counted.
      media_seconds =
          std::min(static_cast<double>(packet->dts - last_video_dts_) / kTicksPerSecond, kMaxFrameSeconds);
    }
    last_video_dts_ = packet->dts;  // decode order: presentation times jump around B-frames
  }
  end_window(media_seconds, video_->stats().busy_seconds - busy_before);
  std::lock_guard lock(mutex_);
  stats_.video = video_->stats();
  stats_.input_seconds += media_seconds;
  if (!done && stats_.error.empty()) stats_.error = done.error().message();
}

void Rendition::end_window(double media_seconds, double busy_seconds) {
  window_media_ += media_seconds;
  window_busy_ += busy_seconds;
  if (window_media_ < kWindowSeconds) return;
  const auto now = std::chrono::steady_clock::now();
  const double wall = std::chrono::duration<double>(now - window_started_).count();
  const double cpu = cpu_.seconds();
  const auto video = video_->stats();
  const double speed = window_busy_ > 0 ? window_media_ / window_busy_ : 0;
  bool dropped = false;
  {
    std::lock_guard lock(mutex_);
    dropped = queue_.dropped_packets() > window_dropped_;
    window_dropped_ = queue_.dropped_packets();
    stats_.speed = speed;
    stats_.fps_in = static_cast<double>(video.frames_decoded - window_decoded_) / window_media_;
    stats_.fps_out = static_cast<double>(video.frames_encoded - window_encoded_) / window_media_;
    stats_.cpu_percent = wall > 0 ? (cpu - window_cpu_) / wall * 100.0 : 0;
    stats_.cpu_seconds = cpu;
  }
  window_media_ = 0;
  window_busy_ = 0;
  window_decoded_ = video.frames_decoded;
  window_encoded_ = video.frames_encoded;
  window_cpu_ = cpu;
  window_started_ = now;
  const bool was_overloaded = load_.overloaded();
  if (auto faster = load_.judge(speed, dropped)) {
    spdlog::warn("event=rendition_preset_changed thread={} preset={} speed={:.2f}", thread_name_, *faster,
                 speed);
    video_->change_preset(*faster);
  }
  if (load_.overloaded() != was_overloaded) {
    spdlog::log(load_.overloaded() ? spdlog::level::err : spdlog::level::info,
                "event={} thread={} preset={} speed={:.2f}",
                load_.overloaded() ? "rendition_overloaded" : "rendition_recovered", thread_name_,
                load_.preset(), speed);
  }
  std::lock_guard lock(mutex_);
  stats_.preset = video_->preset();  // the one encoding now (a change waits for the next GOP)
  stats_.preset_changes = load_.preset_changes();
  stats_.overloaded = load_.overloaded();
}

void Rendition::take_audio(const MediaPacketPtr& packet) {
  if (packet->kind == PacketKind::kAudioConfig) audio_config_ = packet;
  if (packet->epoch != audio_epoch_ || audio_mode_ == AudioMode::kNone) {
    // A new publisher: its audio may differ, so it is measured again.
    audio_epoch_ = packet->epoch;
    audio_.reset();
    held_audio_.clear();
    measured_bytes_ = 0;
    measured_frames_ = 0;
    audio_mode_ = profile_.audio_bitrate_kbps == 0 ? AudioMode::kPassthrough : AudioMode::kMeasuring;
  }
  switch (audio_mode_) {
    case AudioMode::kPassthrough:
    case AudioMode::kNone:
    case AudioMode::kTranscode:
      forward_audio(packet);
      break;
    case AudioMode::kMeasuring:
      held_audio_.push_back(packet);
      if (packet->codec != Codec::kAac) {
        choose_audio(false);  // only AAC is re-encoded
      } else if (packet->kind == PacketKind::kAudio) {
        if (measured_frames_ == 0) first_audio_pts_ = packet->pts;
        last_audio_pts_ = packet->pts;
        measured_bytes_ += packet->payload.size();
        ++measured_frames_;
        if (last_audio_pts_ - first_audio_pts_ >= kAudioMeasureTicks) choose_audio(true);
      }
      if (audio_mode_ == AudioMode::kMeasuring && held_audio_.size() >= kMaxHeldAudio) choose_audio(false);
      break;
  }
  std::lock_guard lock(mutex_);
  stats_.audio = audio_mode_ == AudioMode::kMeasuring     ? "measuring"
                 : audio_mode_ == AudioMode::kTranscode   ? "transcode"
                 : audio_mode_ == AudioMode::kPassthrough ? "passthrough"
                                                          : "";
}

void Rendition::choose_audio(bool measured) {
  double kbps = 0;
  if (measured && measured_frames_ >= 2) {
    // n frames span n-1 frame intervals between the first and last timestamps, plus the last frame.
    const double seconds = static_cast<double>(last_audio_pts_ - first_audio_pts_) / kTicksPerSecond *
                           measured_frames_ / (measured_frames_ - 1);
    kbps = static_cast<double>(measured_bytes_) * 8.0 / 1000.0 / seconds;
  }
  audio_mode_ = AudioMode::kPassthrough;
  // Only plain AAC-LC of 1 to 6 channels is re-encoded: HE-AAC (twice the samples per frame, usually at low
  // bitrates anyway) and channel layouts in a program config element pass through as they are.
  auto asc = audio_config_ ? aac::parse_audio_specific_config(audio_config_->payload)
                           : Result<aac::AudioSpecificConfig>(Error(ErrorCode::kParse, "no config"));
  const bool plain_lc = asc && asc->object_type == 2 && asc->channels >= 1 && asc->channels <= 6;
  if (plain_lc && kbps > profile_.audio_bitrate_kbps * kAudioTolerance) {
    auto transcoder = AudioTranscoder::create(profile_.audio_bitrate_kbps);
    if (transcoder) {
      audio_ = std::move(*transcoder);
      audio_mode_ = AudioMode::kTranscode;
    }
  }
  spdlog::info("event=rendition_audio thread={} mode={} input_kbps={:.0f} target_kbps={}", thread_name_,
               audio_mode_ == AudioMode::kTranscode ? "transcode" : "passthrough", kbps,
               profile_.audio_bitrate_kbps);
  {
    std::lock_guard lock(mutex_);
    stats_.input_audio_kbps = kbps;
  }
  std::vector<MediaPacketPtr> held;
  held.swap(held_audio_);
  if (audio_config_ && (held.empty() || held.front()->kind != PacketKind::kAudioConfig)) {
    // The publisher's config may have come before its first frames were measured (or under the last look).
    held.insert(held.begin(), audio_config_);
  }
  for (const auto& packet : held) forward_audio(packet);
}

void Rendition::forward_audio(const MediaPacketPtr& packet) {
  if (audio_mode_ != AudioMode::kTranscode) {
    publish_audio(packet);  // the very packet: passed through, not even copied
    return;
  }
  if (auto done = audio_->push(*packet, [this](MediaPacket out) { publish(std::move(out)); }); !done) {
    if (packet->kind == PacketKind::kAudioConfig) {
      // The codecs would not open for this config: its audio passes through as it is.
      spdlog::warn("event=rendition_audio thread={} mode=passthrough error=\"{}\"", thread_name_,
                   done.error().message());
      audio_.reset();
      audio_mode_ = AudioMode::kPassthrough;
      publish_audio(packet);
      return;
    }
    std::lock_guard lock(mutex_);
    if (stats_.error.empty()) stats_.error = done.error().message();
  }
}

}  // namespace lunora::media
