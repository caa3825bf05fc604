// One rendition of a channel (issue 9): decoded and encoded ONCE however many destinations use it. It is an
// Output on the channel's Hub (a bounded queue, so a slow encoder never holds the input back: it drops to the
// next keyframe and counts), a thread of its own that transcodes the video (VideoTranscoder) and passes the
// audio through or re-encodes it (AudioTranscoder, only when the input's audio is well above the rendition's
// bitrate), and a Hub of its own that the rendition's destinations join like any output, with the same GOP
// cache, isolation and backoff as the input's. When the encoder falls behind real time it steps to a faster
// x264 preset (EncoderLoad) and says `overloaded` only when the fastest cannot keep up.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/result.hpp"
#include "media/hub/hub.hpp"
#include "media/hub/output.hpp"
#include "media/hub/packet_queue.hpp"
#include "media/transcode/audio_transcoder.hpp"
#include "media/transcode/encoder_load.hpp"
#include "media/transcode/thread_cpu.hpp"
#include "media/transcode/video_transcoder.hpp"

namespace lunora::media {

struct RenditionProfile {
  VideoProfile video;
  int audio_bitrate_kbps = 0;  // re-encode the AAC when the input's is above this; 0 = always pass it through
  bool operator==(const RenditionProfile&) const = default;
};

// An error says which value is wrong.
Status check_rendition_profile(const RenditionProfile& profile);

class Rendition final : public Output, public std::enable_shared_from_this<Rendition> {
 public:
  struct Stats {
    VideoTranscoder::Stats video;
    uint64_t dropped_packets = 0;  // the encoder fell behind: dropped before it, to the next keyframe
    double input_seconds = 0;      // media time taken in
    // Over the last window (a few seconds of media):
    double speed = 0;             // media time / busy time (1 = real time)
    double fps_in = 0;            // decoded frames per second of media
    double fps_out = 0;           // encoded frames per second of media
    double cpu_percent = 0;       // of one core, by the rendition's thread and libx264's
    double cpu_seconds = 0;       // in all
    std::string preset;           // x264's preset now
    int preset_changes = 0;       // steps to a faster preset since the start
    bool overloaded = false;      // even the fastest preset falls behind real time
    std::string audio;            // "" (none yet) | "measuring" | "passthrough" | "transcode"
    double input_audio_kbps = 0;  // as measured before choosing
    std::string error;            // why it does not encode ("" = fine)
  };

  // Checks the profile and starts the thread, which opens the codecs (on it, so that libx264's threads carry
  // its name and count in its CPU share). An error there shows in stats().error.
  static Result<std::shared_ptr<Rendition>> start(const RenditionProfile& profile);
  ~Rendition() override;
  Rendition(const Rendition&) = delete;
  Rendition& operator=(const Rendition&) = delete;

  // Output, from the channel's Hub (its lock held): enqueue and wake the thread.
  void offer(const MediaPacketPtr& packet) override;
  void on_input_codecs(const InputCodecs& codecs) override;

  // Where the rendition's packets go: its destinations join this Hub.
  Hub& hub() { return hub_; }
  const RenditionProfile& profile() const { return profile_; }
  Stats stats() const;
  // Ends the thread without waiting for it (what is queued is dropped); the Hub keeps its last GOP.
  void stop();

  Rendition(RenditionProfile profile, std::string thread_name);

 private:
  enum class AudioMode { kNone, kMeasuring, kPassthrough, kTranscode };
  void run();
  void open_codecs();
  void transcode(const MediaPacketPtr& packet);
  void take_audio(const MediaPacketPtr& packet);
  void choose_audio(bool measured);
  void forward_audio(const MediaPacketPtr& packet);
  void publish(MediaPacket packet);
  void publish_video(const MediaPacketPtr& packet);
  void publish_audio(const MediaPacketPtr& packet);
  bool audio_due(const MediaPacket& audio) const;
  void release_audio();
  void end_window(double media_seconds, double busy_seconds);

  const RenditionProfile profile_;
  const std::string thread_name_;  // also the name of libx264's threads: the group whose CPU counts
  Hub hub_;
  mutable std::mutex mutex_;  // guards queue_, codecs_, stopping_ and stats_ (the Hub's thread, this one)
  std::condition_variable wake_;
  PacketQueue queue_;
  InputCodecs codecs_;
  bool codecs_changed_ = false;
  bool stopping_ = false;
  std::atomic<bool> stop_requested_{false};  // stopping_, for the thread to read between packets
  Stats stats_;

  // The thread's only.
  ThreadGroupCpu cpu_;
  std::unique_ptr<VideoTranscoder> video_;
  EncoderLoad load_;
  std::unique_ptr<AudioTranscoder> audio_;
  AudioMode audio_mode_ = AudioMode::kNone;
  uint32_t audio_epoch_ = 0;
  std::vector<MediaPacketPtr> held_audio_;  // while measuring the input's audio bitrate
  MediaPacketPtr audio_config_;             // the input's latest
  uint64_t measured_bytes_ = 0;
  int measured_frames_ = 0;
  int64_t first_audio_pts_ = 0;
  int64_t last_audio_pts_ = 0;
  double window_media_ = 0;
  double window_busy_ = 0;
  uint64_t window_dropped_ = 0;  // read and written under mutex_
  uint64_t window_decoded_ = 0;
  uint64_t window_encoded_ = 0;
  double window_cpu_ = 0;
  std::chrono::steady_clock::time_point window_started_;
  int64_t last_video_dts_ = -1;
  uint32_t input_epoch_ = 0;
  bool has_video_ = false;                    // the input has a video track: audio waits for it
  std::deque<MediaPacketPtr> audio_waiting_;  // audio ahead of the encoder's video
  uint32_t video_epoch_ = 0;                  // of the last video packet out
  int64_t video_dts_ = 0;                     // its decode time
  std::thread thread_;
};

}  // namespace lunora::media
