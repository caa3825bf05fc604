// Live HLS packaging (issue 4): MediaPackets -> MPEG-TS segments cut at the input's keyframes, a sliding
// window of them in memory and the media playlist that lists them. Pure and single-threaded: HlsOutput runs
// it on its own thread and publishes snapshots; nothing here knows of HTTP or files.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/byte_io.hpp"
#include "media/media_packet.hpp"
#include "media/ts/ts_muxer.hpp"

namespace lunora::media {

struct HlsSegmenterOptions {
  // A segment is cut at the first video keyframe once it is at least this long (audio-only: the first frame).
  int64_t target_duration_ticks = 2 * kTicksPerSecond;
  size_t window = 6;  // finished segments listed and kept; older ones are dropped
  // A segment that grows past this (no keyframe for a long time) is dropped with a counted error; the
  // packager waits for the next keyframe and marks the next segment as a discontinuity.
  size_t max_segment_bytes = 32 << 20;
  // A DTS step on one track larger than this, backwards or forwards, is a discontinuity (encoder restart).
  int64_t max_jump_ticks = 10 * kTicksPerSecond;
  // Segment URIs are uri_prefix + sequence + uri_suffix, relative to the playlist.
  std::string uri_prefix = "seg-";
  std::string uri_suffix = ".ts";
};

struct HlsSegment {
  uint64_t sequence = 0;                // EXT-X-MEDIA-SEQUENCE numbering, from 0
  uint64_t discontinuity_sequence = 0;  // discontinuities up to and including this segment
  int64_t duration_ticks = 0;           // from DTS: next segment's start (or last frame + one frame) - start
  bool discontinuity = false;           // listed after an EXT-X-DISCONTINUITY tag
  std::string name;                     // uri_prefix + sequence + uri_suffix
  std::shared_ptr<const Bytes> bytes;   // the whole segment: PAT/PMT, then SPS/PPS + IDR (or audio)

  double duration_seconds() const { return static_cast<double>(duration_ticks) / kTicksPerSecond; }
};

struct HlsSegmenterStats {
  uint64_t segments = 0;          // segments finished and listed
  uint64_t bytes = 0;             // bytes of those segments
  uint64_t dropped_segments = 0;  // segments thrown away over max_segment_bytes
  uint64_t skipped_packets = 0;   // media before a keyframe, of an unsupported codec, or in a dropped segment
  uint64_t discontinuities = 0;   // segments marked EXT-X-DISCONTINUITY
  uint64_t errors = 0;            // dropped segments and unsupported codecs
  std::string last_error;         // a sentence a person can act on; empty when none
};

class HlsSegmenter {
 public:
  explicit HlsSegmenter(HlsSegmenterOptions options = {});

  // Config and media packets in stream order (as the Hub offers them).
  void feed(const MediaPacket& packet);
  // Closes the open segment (end of input) and lists it; the next one is marked as a discontinuity.
  void flush();

  // The live media playlist (RFC 8216 version 3) of the current window; no segment lines before the first
  // one.
  std::string playlist() const;
  // The bytes of a listed segment by its URI name; nullptr when it never existed or has slid out.
  std::shared_ptr<const Bytes> segment(std::string_view name) const;
  const std::deque<HlsSegment>& segments() const { return window_; }
  const HlsSegmenterStats& stats() const { return stats_; }
  // Bytes of the segment being built (not listed yet).
  size_t open_segment_bytes() const { return open_ ? open_->bytes.size() : 0; }

 private:
  struct OpenSegment {
    // User-provided: clang-14 decides std::optional<OpenSegment>'s emplace() while the enclosing class is
    // still incomplete, and then takes a nested struct with member initializers for not
    // default-constructible.
    OpenSegment() {}  // NOLINT(modernize-use-equals-default)
    Bytes bytes;
    TsMuxer muxer;
    int64_t start_dts = 0;
    int64_t last_dts = 0;   // latest DTS of the timing track (video when there is video)
    int64_t last_step = 0;  // the step before it: the duration given to the last frame on flush
    bool discontinuity = false;
  };

  void on_config(const MediaPacket& packet);
  void on_media(const MediaPacket& packet);
  bool is_discontinuity(const MediaPacket& packet) const;
  void start_segment(const MediaPacket& first);
  void close_segment(std::optional<int64_t> end_dts);
  void drop_open_segment();
  void error(std::string message);
  void unsupported(const MediaPacket& packet);
  bool has_video() const { return video_config_.has_value(); }

  HlsSegmenterOptions options_;
  std::optional<OpenSegment> open_;
  std::deque<HlsSegment> window_;
  HlsSegmenterStats stats_;

  std::optional<MediaPacket> video_config_;  // latest H.264 configuration (a small copy)
  std::optional<MediaPacket> audio_config_;  // latest AAC configuration
  bool pending_discontinuity_ = false;       // the next segment starts after a break
  std::optional<uint32_t> epoch_;
  std::optional<int64_t> last_video_dts_;
  std::optional<int64_t> last_audio_dts_;
  uint64_t next_sequence_ = 0;
  uint64_t discontinuity_sequence_ = 0;
  int64_t target_duration_s_ = 0;  // EXT-X-TARGETDURATION: only ever grows (RFC 8216 6.2.1)
  bool unsupported_reported_ = false;
};

}  // namespace lunora::media
