// One rendition's video (issue 9): the channel's H.264 decoded (libavcodec), scaled to the profile's size
// (libswscale, which follows the input when its resolution changes), brought to the profile's frame rate by
// dropping or repeating frames, and encoded again (libx264 through libavcodec: constant bitrate with a VBV
// buffer of one second, a closed GOP with an IDR exactly every keyframe interval). MediaPackets in,
// MediaPackets out, on the caller's thread: a rendition runs on a thread of its own, never on an I/O thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "media/media_packet.hpp"

namespace lunora::media {

struct VideoProfile {
  int width = 1280;  // even
  int height = 720;  // even
  double fps = 30;
  int bitrate_kbps = 3000;
  double keyframe_interval_s = 2;
  std::string preset = "veryfast";  // x264's speed/quality trade-off
  bool operator==(const VideoProfile&) const = default;
};

// An error says which value is wrong.
Status check_video_profile(const VideoProfile& profile);

class VideoTranscoder {
 public:
  // Called with each output packet: the video config first (AVCDecoderConfigurationRecord), then access
  // units (AVCC; keyframes also carry SPS and PPS in-band) on the input's timeline.
  using Emit = std::function<void(MediaPacket)>;

  struct Stats {
    uint64_t frames_decoded = 0;
    uint64_t frames_encoded = 0;
    uint64_t frames_dropped = 0;   // to lower the frame rate
    uint64_t frames_repeated = 0;  // to raise it
    uint64_t decode_errors = 0;
    double busy_seconds = 0;  // wall time inside push() and flush(): media time / this = encode speed
  };

  static Result<std::unique_ptr<VideoTranscoder>> create(const VideoProfile& profile);
  ~VideoTranscoder();
  VideoTranscoder(const VideoTranscoder&) = delete;
  VideoTranscoder& operator=(const VideoTranscoder&) = delete;

  // One input video packet: a config (the decoder opens again when it changes) or an access unit. Audio is
  // not taken. A packet the decoder refuses counts as a decode error and is skipped, as a player would.
  Status push(const MediaPacket& packet, const Emit& emit);
  // Encodes what the encoder still holds (the end of the stream).
  Status flush(const Emit& emit);
  Stats stats() const { return stats_; }
  // Another x264 preset (the rendition's encoder cannot keep up), from the next GOP on: there the encoder is
  // drained and opened again with it, so keyframes keep their cadence and the output's timeline goes on.
  void change_preset(const std::string& preset);
  const std::string& preset() const { return profile_.preset; }

 private:
  struct Codecs;  // libav* state (defined in the .cpp)
  explicit VideoTranscoder(const VideoProfile& profile);
  Status open_decoder(const MediaPacket& config);
  Status open_encoder();
  Status decode(const MediaPacket& packet, const Emit& emit);
  // Another publisher on the input (a new epoch): the encoder is drained and opened again.
  Status new_publisher(const Emit& emit);
  // Gives the decoded frame to the output slots it covers (the frame-rate conversion).
  Status place(int64_t pts, uint32_t epoch, const Emit& emit);
  Status encode(int64_t pts, uint32_t epoch, const Emit& emit);
  Status drain(uint32_t epoch, const Emit& emit);
  Status apply_preset(uint32_t epoch, const Emit& emit);

  VideoProfile profile_;      // the preset may change (change_preset)
  const int64_t slot_ticks_;  // one output frame
  const int gop_frames_;
  std::unique_ptr<Codecs> av_;
  Bytes input_config_;                // the config the decoder was opened with
  std::optional<int64_t> next_slot_;  // the output time the next encoded frame gets
  std::optional<uint32_t> epoch_;     // of the input now (a new publisher restarts the output clock)
  bool config_sent_ = false;
  bool force_idr_ = true;                      // the next encoded frame opens a GOP (start, new publisher)
  int frames_in_gop_ = 0;                      // frames encoded since the last GOP began
  std::optional<std::string> pending_preset_;  // to take at the next GOP
  bool sent_since_open_ = false;               // the encoder got a frame since it was opened
  Stats stats_;
};

}  // namespace lunora::media
