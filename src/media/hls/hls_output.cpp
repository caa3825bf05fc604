#include "media/hls/hls_output.hpp"

#include <pthread.h>

#include <vector>

namespace lunora::media {

HlsOutput::HlsOutput(HlsOutputOptions options)
    : segmenter_options_(std::move(options.segmenter)), queue_(options.queue) {
  HlsSegmenter empty(segmenter_options_);
  publish(empty, 0);
}

HlsOutput::~HlsOutput() {
  stop();
}

void HlsOutput::start() {
  std::lock_guard lifecycle(lifecycle_mutex_);
  if (started_) return;
  started_ = true;
  {
    std::lock_guard lock(queue_mutex_);
    // Before start the queue keeps only the current GOP; from now on falling behind is a counted drop.
    queue_.set_gop_only(false);
  }
  // stop() (also from the destructor) joins: the thread borrows `this`.
  thread_ = std::thread([this] { run(); });
}

void HlsOutput::stop() {
  std::lock_guard lifecycle(lifecycle_mutex_);
  started_ = true;  // no start after a stop
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void HlsOutput::offer(const MediaPacketPtr& packet) {
  {
    std::lock_guard lock(queue_mutex_);
    queue_.push(packet);
  }
  wake_.notify_one();
}

void HlsOutput::on_input_codecs(const InputCodecs& codecs) {
  std::lock_guard lock(queue_mutex_);
  codec_error_.clear();
  std::string unsupported;
  if (codecs.video != Codec::kUnknown && codecs.video != Codec::kH264) {
    unsupported = "video is " + std::string(codec_name(codecs.video));
  }
  if (codecs.audio != Codec::kUnknown && codecs.audio != Codec::kAac) {
    unsupported +=
        (unsupported.empty() ? "audio is " : " and audio is ") + std::string(codec_name(codecs.audio));
  }
  if (!unsupported.empty()) {
    codec_error_ = "the input's " + unsupported +
                   "; HLS carries H.264 video and AAC audio only (set the encoder to H.264/AAC)";
  }
}

void HlsOutput::run() {
  // Named so that top -H and bench/hls can tell the packager's CPU from the rest of the process.
  pthread_setname_np(pthread_self(), "lunora-hls");
  HlsSegmenter segmenter(segmenter_options_);
  std::vector<MediaPacketPtr> batch;
  uint64_t media_packets = 0;
  uint64_t published_segments = 0;
  while (true) {
    {
      std::unique_lock lock(queue_mutex_);
      wake_.wait(lock, [this] { return stopping_.load() || !queue_.empty(); });
      if (stopping_) return;
      queue_.take_all(batch);
    }
    for (const MediaPacketPtr& packet : batch) {
      if (stopping_.load(std::memory_order_relaxed)) return;
      segmenter.feed(*packet);
      if (!packet->is_config()) ++media_packets;
    }
    batch.clear();
    if (segmenter.stats().segments != published_segments) {
      published_segments = segmenter.stats().segments;
      publish(segmenter, media_packets);
    } else {
      std::lock_guard lock(snapshot_mutex_);
      stats_ = segmenter.stats();
      media_packets_ = media_packets;
    }
  }
}

void HlsOutput::publish(const HlsSegmenter& segmenter, uint64_t media_packets) {
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->playlist = segmenter.playlist();
  for (const HlsSegment& segment : segmenter.segments()) {
    snapshot->segments.emplace(segment.name, segment.bytes);
    snapshot->bytes += segment.bytes->size();
  }
  std::lock_guard lock(snapshot_mutex_);
  snapshot_ = std::move(snapshot);
  stats_ = segmenter.stats();
  media_packets_ = media_packets;
}

std::string HlsOutput::playlist() const {
  std::lock_guard lock(snapshot_mutex_);
  return snapshot_->playlist;
}

std::shared_ptr<const Bytes> HlsOutput::segment(std::string_view name) const {
  std::shared_ptr<const Snapshot> snapshot;
  {
    std::lock_guard lock(snapshot_mutex_);
    snapshot = snapshot_;
  }
  auto it = snapshot->segments.find(name);
  return it == snapshot->segments.end() ? nullptr : it->second;
}

uint64_t HlsOutput::segments_published() const {
  std::lock_guard lock(snapshot_mutex_);
  return stats_.segments;
}

HlsOutputStats HlsOutput::stats() const {
  HlsOutputStats stats;
  {
    std::lock_guard lock(snapshot_mutex_);
    stats.segmenter = stats_;
    stats.media_packets = media_packets_;
    stats.window_segments = snapshot_->segments.size();
    stats.window_bytes = snapshot_->bytes;
  }
  std::lock_guard lock(queue_mutex_);
  stats.dropped_packets = queue_.dropped_packets();
  stats.codec_error = codec_error_;
  return stats;
}

}  // namespace lunora::media
