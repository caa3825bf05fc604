// One rendition of a channel (issue 9): decoded and encoded ONCE however many destinations use it. It is an
// Output on the channel's Hub (a bounded queue, so a slow encoder never holds the input back: it drops to the
// next keyframe and counts), a thread of its own that transcodes the video (VideoTranscoder) and passes the
// audio through, and a Hub of its own that the rendition's destinations join like any output, with the same
// GOP cache, isolation and backoff as the input's.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/result.hpp"
#include "media/hub/hub.hpp"
#include "media/hub/output.hpp"
#include "media/hub/packet_queue.hpp"
#include "media/transcode/video_transcoder.hpp"

namespace lunora::media {

class Rendition final : public Output, public std::enable_shared_from_this<Rendition> {
 public:
  struct Stats {
    VideoTranscoder::Stats video;
    uint64_t dropped_packets = 0;  // the encoder fell behind: dropped before it, to the next keyframe
    double input_seconds = 0;      // media time taken in
    double speed = 0;              // media time / busy time over the last few seconds (1 = real time)
    bool overloaded = false;       // speed below 1 for a while: it cannot keep real time
    std::string error;             // why it stopped encoding ("" = fine)
  };

  // Opens the encoder (an error says what is wrong with the profile) and starts the thread.
  static Result<std::shared_ptr<Rendition>> start(const VideoProfile& profile);
  ~Rendition() override;
  Rendition(const Rendition&) = delete;
  Rendition& operator=(const Rendition&) = delete;

  // Output, from the channel's Hub (its lock held): enqueue and wake the thread.
  void offer(const MediaPacketPtr& packet) override;
  void on_input_codecs(const InputCodecs& codecs) override;

  // Where the rendition's packets go: its destinations join this Hub.
  Hub& hub() { return hub_; }
  Stats stats() const;
  // Ends the thread (what is queued is dropped); the Hub keeps its last GOP for late readers.
  void stop();

  explicit Rendition(std::unique_ptr<VideoTranscoder> video);

 private:
  void run();
  void transcode(const MediaPacketPtr& packet);
  void update_speed(double media_seconds, double busy_seconds);

  std::unique_ptr<VideoTranscoder> video_;  // the thread's only
  Hub hub_;
  mutable std::mutex mutex_;  // guards queue_, codecs_, stopping_ and stats_ (the Hub's thread, this one)
  std::condition_variable wake_;
  PacketQueue queue_;
  InputCodecs codecs_;
  bool codecs_changed_ = false;
  bool stopping_ = false;
  Stats stats_;
  // The thread's only: the speed window.
  double window_media_ = 0;
  double window_busy_ = 0;
  int slow_windows_ = 0;
  uint64_t window_dropped_ = 0;  // read and written under mutex_
  int64_t last_video_pts_ = -1;
  std::thread thread_;
};

}  // namespace lunora::media
