#include "media/hls/hls_segmenter.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "media/ts/ts_psi.hpp"
#include "unit/media/hls/hls_test_support.hpp"

namespace lunora::media {
namespace {

using namespace hls_test;

void feed(HlsSegmenter& segmenter, const std::vector<MediaPacketPtr>& packets) {
  for (const auto& p : packets) segmenter.feed(*p);
}

HlsSegmenter with_configs(HlsSegmenterOptions options = {}, bool audio_only = false) {
  HlsSegmenter segmenter(std::move(options));
  if (!audio_only) segmenter.feed(*video_config());
  segmenter.feed(*audio_config());
  return segmenter;
}

// Checks that a segment decodes on its own: PAT and PMT first, then the first video frame the demuxer finds
// is a keyframe with its configuration before it. Returns the demuxed packets.
test::RecordingCallbacks expect_self_contained(const Bytes& ts, bool video = true) {
  EXPECT_EQ(ts.size() % 188, 0u);
  EXPECT_GE(ts.size(), 3 * 188u);
  EXPECT_EQ(ts_pid(ts, 0), ts::kPatPid);
  EXPECT_EQ(ts_pid(ts, 1), TsMuxer::kPmtPid);
  test::RecordingCallbacks rec = test::demux(ts, ts.size());
  bool saw_config = false;
  bool saw_audio_config = false;
  for (const auto& p : rec.packets) {
    if (p->kind == PacketKind::kVideoConfig) saw_config = true;
    if (p->kind == PacketKind::kAudioConfig) saw_audio_config = true;
    if (p->kind == PacketKind::kVideo) {
      EXPECT_TRUE(saw_config) << "video before its SPS/PPS";
      EXPECT_TRUE(p->keyframe) << "the first video frame of a segment must be an IDR";
      break;
    }
  }
  if (video) {
    EXPECT_TRUE(saw_config);
    EXPECT_GE(rec.count(PacketKind::kVideo), 1u);
  } else {
    EXPECT_EQ(rec.count(PacketKind::kVideo), 0u);
    EXPECT_TRUE(saw_audio_config || rec.count(PacketKind::kAudioConfig) > 0);
    EXPECT_GE(rec.count(PacketKind::kAudio), 1u);
  }
  return rec;
}

TEST(HlsSegmenter, CutsAtTheFirstKeyframeAtOrPastTheTargetDuration) {
  HlsSegmenter segmenter = with_configs();
  // Keyframes every 0.8 s: cut points at 2.4 s and 4.8 s, never at 0.8/1.6/3.2/4.0.
  feed(segmenter, stream(6.0, 20));
  ASSERT_EQ(segmenter.segments().size(), 2u);
  EXPECT_EQ(segmenter.segments()[0].duration_ticks, 216000);  // 2.4 s
  EXPECT_EQ(segmenter.segments()[1].duration_ticks, 216000);
  EXPECT_EQ(segmenter.open_segment_bytes() > 0, true);  // 4.8 s .. 6.0 s still open
  int64_t expected_start = 0;
  for (const HlsSegment& segment : segmenter.segments()) {
    auto rec = expect_self_contained(*segment.bytes);
    const MediaPacketPtr* first_video = nullptr;
    for (const auto& p : rec.packets) {
      if (p->kind == PacketKind::kVideo) {
        first_video = &p;
        break;
      }
    }
    ASSERT_NE(first_video, nullptr);
    EXPECT_EQ((*first_video)->dts, expected_start);
    EXPECT_EQ(rec.count(PacketKind::kVideo), 60u);  // 2.4 s at 25 fps: every frame, none lost or repeated
    expected_start += 216000;
  }
  const std::string playlist = segmenter.playlist();
  EXPECT_EQ(playlist.rfind("#EXTM3U\n#EXT-X-VERSION:3\n", 0), 0u) << playlist;
  EXPECT_EQ(tag_value(playlist, "#EXT-X-TARGETDURATION:"), 3);
  EXPECT_EQ(tag_value(playlist, "#EXT-X-MEDIA-SEQUENCE:"), 0);
  EXPECT_NE(playlist.find("#EXTINF:2.400,\nseg-0.ts\n#EXTINF:2.400,\nseg-1.ts\n"), std::string::npos)
      << playlist;
  EXPECT_EQ(playlist.find("DISCONTINUITY"), std::string::npos);
}

TEST(HlsSegmenter, NeverCutsWithoutAKeyframe) {
  HlsSegmenter segmenter = with_configs();
  // One keyframe every 5 s: a 2 s target still gives 5 s segments.
  feed(segmenter, stream(16.0, 125));
  ASSERT_EQ(segmenter.segments().size(), 3u);
  for (const HlsSegment& segment : segmenter.segments()) {
    EXPECT_EQ(segment.duration_ticks, 5 * kTicksPerSecond);
    expect_self_contained(*segment.bytes);
  }
  EXPECT_EQ(tag_value(segmenter.playlist(), "#EXT-X-TARGETDURATION:"), 5);
}

TEST(HlsSegmenter, WaitsForTheFirstKeyframe) {
  HlsSegmenter segmenter = with_configs();
  segmenter.feed(*frame(0, false));
  segmenter.feed(*aac_frame(0));
  EXPECT_EQ(segmenter.open_segment_bytes(), 0u);
  EXPECT_EQ(segmenter.stats().skipped_packets, 2u);
  feed(segmenter, stream(5.0, 25, kFrameTicks));
  ASSERT_EQ(segmenter.segments().size(), 2u);
  expect_self_contained(*segmenter.segments()[0].bytes);
}

TEST(HlsSegmenter, SlidingWindowDropsOldSegmentsAndAdvancesTheMediaSequence) {
  HlsSegmenterOptions options;
  options.window = 3;
  HlsSegmenter segmenter = with_configs(options);
  feed(segmenter, stream(21.0, 50));  // 2 s GOPs: segments 0..9 finished, the 10th open
  ASSERT_EQ(segmenter.stats().segments, 10u);
  ASSERT_EQ(segmenter.segments().size(), 3u);
  EXPECT_EQ(segmenter.segments().front().sequence, 7u);
  EXPECT_EQ(segmenter.segments().back().sequence, 9u);
  const std::string playlist = segmenter.playlist();
  EXPECT_EQ(tag_value(playlist, "#EXT-X-MEDIA-SEQUENCE:"), 7);
  EXPECT_EQ(count(playlist, "#EXTINF:"), 3u);
  EXPECT_NE(playlist.find("seg-7.ts\n#EXTINF:2.000,\nseg-8.ts\n#EXTINF:2.000,\nseg-9.ts\n"),
            std::string::npos);
  EXPECT_EQ(segmenter.stats().bytes > 0, true);

  feed(segmenter, stream(2.0, 50, 22 * kTicksPerSecond));  // keyframe at 22 s closes segment 10
  EXPECT_EQ(tag_value(segmenter.playlist(), "#EXT-X-MEDIA-SEQUENCE:"), 8);
}

TEST(HlsSegmenter, ExpiredAndUnknownNamesFindNothing) {
  HlsSegmenterOptions options;
  options.window = 2;
  HlsSegmenter segmenter = with_configs(options);
  feed(segmenter, stream(9.0, 50));  // segments 0..3 finished
  EXPECT_EQ(segmenter.segment("seg-0.ts"), nullptr);
  EXPECT_EQ(segmenter.segment("seg-1.ts"), nullptr);
  ASSERT_NE(segmenter.segment("seg-2.ts"), nullptr);
  ASSERT_NE(segmenter.segment("seg-3.ts"), nullptr);
  EXPECT_EQ(segmenter.segment("seg-4.ts"), nullptr);  // still being built
  EXPECT_EQ(segmenter.segment("seg-3"), nullptr);
  EXPECT_EQ(segmenter.segment("../seg-3.ts"), nullptr);
  EXPECT_EQ(segmenter.segment(""), nullptr);
  EXPECT_EQ(segmenter.segment("seg-3.ts").get(), segmenter.segments().back().bytes.get());
  // A reader holding bytes keeps them after they slide out.
  auto held = segmenter.segment("seg-2.ts");
  feed(segmenter, stream(4.0, 50, 9 * kTicksPerSecond));
  EXPECT_EQ(segmenter.segment("seg-2.ts"), nullptr);
  EXPECT_FALSE(held->empty());
}

TEST(HlsSegmenter, UsesTheConfiguredNames) {
  HlsSegmenterOptions options;
  options.uri_prefix = "live/chunk_";
  options.uri_suffix = ".mts";
  HlsSegmenter segmenter = with_configs(options);
  feed(segmenter, stream(5.0, 50));
  EXPECT_NE(segmenter.playlist().find("\nlive/chunk_1.mts\n"), std::string::npos);
  EXPECT_NE(segmenter.segment("live/chunk_0.mts"), nullptr);
}

TEST(HlsSegmenter, TargetDurationCoversEverySegment) {
  HlsSegmenter segmenter = with_configs();
  // Irregular keyframes: 2.04 s, 3.48 s, 2.2 s, 6.0 s, 2.0 s GOPs.
  std::vector<int> gops_in_frames = {51, 87, 55, 150, 50, 50};
  int64_t dts = 0;
  for (int frames : gops_in_frames) {
    for (int i = 0; i < frames; ++i, dts += kFrameTicks) {
      segmenter.feed(*frame(dts, i == 0));
      segmenter.feed(*aac_frame(dts));
    }
  }
  const std::string playlist = segmenter.playlist();
  const std::vector<double> durations = extinf(playlist);
  ASSERT_EQ(durations.size(), 5u) << playlist;
  const int64_t target = tag_value(playlist, "#EXT-X-TARGETDURATION:");
  for (double d : durations) EXPECT_LE(std::ceil(d), static_cast<double>(target)) << playlist;
  EXPECT_EQ(target, 6);
  EXPECT_NE(playlist.find("#EXTINF:2.040,"), std::string::npos) << playlist;
  EXPECT_NE(playlist.find("#EXTINF:3.480,"), std::string::npos) << playlist;
}

TEST(HlsSegmenter, EpochChangeClosesTheSegmentAndMarksADiscontinuity) {
  HlsSegmenter segmenter = with_configs();
  feed(segmenter, stream(5.0, 50));  // segments 0, 1; 4.0..5.0 open
  // A new publisher: its timestamps start again near 0.
  segmenter.feed(*video_config(2));
  segmenter.feed(*audio_config(2));
  feed(segmenter, stream(3.0, 50, 0, 2));
  const auto& segments = segmenter.segments();
  ASSERT_EQ(segments.size(), 4u);
  EXPECT_FALSE(segments[1].discontinuity);
  // The segment cut short by the reconnect: 4.0 s .. last frame 4.96 s + one frame.
  EXPECT_FALSE(segments[2].discontinuity);
  EXPECT_EQ(segments[2].duration_ticks, 1 * kTicksPerSecond);
  EXPECT_TRUE(segments[3].discontinuity);
  EXPECT_EQ(segments[3].duration_ticks, 2 * kTicksPerSecond);
  expect_self_contained(*segments[3].bytes);
  const std::string playlist = segmenter.playlist();
  EXPECT_NE(playlist.find("seg-2.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:2.000,\nseg-3.ts\n"), std::string::npos)
      << playlist;
  EXPECT_EQ(count(playlist, "#EXT-X-DISCONTINUITY\n"), 1u);
  EXPECT_EQ(playlist.find("#EXT-X-DISCONTINUITY-SEQUENCE"), std::string::npos);
  EXPECT_EQ(segmenter.stats().discontinuities, 1u);
}

TEST(HlsSegmenter, TimestampJumpIsADiscontinuityInBothDirections) {
  HlsSegmenter segmenter = with_configs();
  feed(segmenter, stream(4.5, 50));                         // 0, 1 + open from 4.0
  feed(segmenter, stream(4.5, 50, 600 * kTicksPerSecond));  // +10 minutes: 2 (cut), 3, 4 + open
  feed(segmenter, stream(2.5, 50, 30 * kTicksPerSecond));   // back to 30 s: 5 (cut), 6 + open
  const auto& segments = segmenter.segments();
  ASSERT_EQ(segmenter.stats().segments, 7u);
  std::vector<bool> flags;
  for (const auto& s : segments) flags.push_back(s.discontinuity);
  // Window of 6: segments 1..6.
  EXPECT_EQ(flags, (std::vector<bool>{false, false, true, false, false, true}));
  for (const auto& s : segments) EXPECT_LE(s.duration_ticks, 2 * kTicksPerSecond);
  // A small gap (a dropped frame or two) is not a discontinuity.
  HlsSegmenter calm = with_configs();
  feed(calm, stream(2.0, 50));
  feed(calm, stream(4.0, 50, 3 * kTicksPerSecond));
  EXPECT_EQ(calm.stats().discontinuities, 0u);
}

TEST(HlsSegmenter, DiscontinuitySequenceCountsTheDiscontinuitiesThatSlidOut) {
  HlsSegmenterOptions options;
  options.window = 3;
  HlsSegmenter segmenter = with_configs(options);
  feed(segmenter, stream(4.0, 50));        // segment 0, 1 open
  feed(segmenter, stream(5.0, 50, 0, 2));  // epoch 2: 1 closed, 2 (disc), 3, 4 open
  std::string playlist = segmenter.playlist();
  EXPECT_EQ(tag_value(playlist, "#EXT-X-MEDIA-SEQUENCE:"), 1);
  EXPECT_EQ(playlist.find("#EXT-X-DISCONTINUITY-SEQUENCE"), std::string::npos) << playlist;
  EXPECT_NE(playlist.find("#EXT-X-DISCONTINUITY\n#EXTINF:2.000,\nseg-2.ts"), std::string::npos) << playlist;

  feed(segmenter, stream(1.0, 50, 6 * kTicksPerSecond, 2));  // 4 closed: window 2, 3, 4
  playlist = segmenter.playlist();
  // The discontinuous segment is first: its own tag stays and the sequence is still 0 (RFC 8216 6.2.2).
  EXPECT_EQ(tag_value(playlist, "#EXT-X-MEDIA-SEQUENCE:"), 2);
  EXPECT_EQ(playlist.find("#EXT-X-DISCONTINUITY-SEQUENCE"), std::string::npos) << playlist;
  EXPECT_EQ(count(playlist, "#EXT-X-DISCONTINUITY\n"), 1u) << playlist;

  feed(segmenter, stream(2.0, 50, 8 * kTicksPerSecond, 2));  // 5 closed: window 3, 4, 5
  playlist = segmenter.playlist();
  EXPECT_EQ(tag_value(playlist, "#EXT-X-MEDIA-SEQUENCE:"), 3);
  EXPECT_EQ(tag_value(playlist, "#EXT-X-DISCONTINUITY-SEQUENCE:"), 1) << playlist;
  EXPECT_EQ(count(playlist, "#EXT-X-DISCONTINUITY\n"), 0u) << playlist;

  // A second reconnect: listed with its tag while the sequence still says 1.
  feed(segmenter, stream(4.1, 50, 0, 3));
  playlist = segmenter.playlist();
  EXPECT_EQ(tag_value(playlist, "#EXT-X-DISCONTINUITY-SEQUENCE:"), 1) << playlist;
  EXPECT_EQ(count(playlist, "#EXT-X-DISCONTINUITY\n"), 1u) << playlist;
}

TEST(HlsSegmenter, AudioOnlyCutsOnTime) {
  HlsSegmenter segmenter = with_configs({}, /*audio_only=*/true);
  feed(segmenter, audio_stream(7.0));
  ASSERT_EQ(segmenter.segments().size(), 3u);
  for (const HlsSegment& segment : segmenter.segments()) {
    // Cut at the first AAC frame at or past 2 s: frame 94, at 94 * 1920 ticks = 2.005 s.
    EXPECT_GE(segment.duration_ticks, 2 * kTicksPerSecond);
    EXPECT_LT(segment.duration_ticks, 2 * kTicksPerSecond + kAacTicks);
    auto rec = expect_self_contained(*segment.bytes, /*video=*/false);
    EXPECT_EQ(rec.count(PacketKind::kAudio), 94u);
  }
  const std::string playlist = segmenter.playlist();
  EXPECT_EQ(tag_value(playlist, "#EXT-X-TARGETDURATION:"), 3) << playlist;
  EXPECT_NE(playlist.find("#EXTINF:2.005,"), std::string::npos) << playlist;
}

TEST(HlsSegmenter, VideoAppearingInAnAudioOnlyStreamStartsANewSegmentAtItsKeyframe) {
  HlsSegmenter segmenter = with_configs({}, /*audio_only=*/true);
  feed(segmenter, audio_stream(3.0));  // segment 0 (2.005 s), 1 open
  segmenter.feed(*video_config());
  feed(segmenter, stream(3.0, 50, 3 * kTicksPerSecond));
  ASSERT_EQ(segmenter.segments().size(), 3u);
  EXPECT_TRUE(segmenter.segments()[2].discontinuity);
  expect_self_contained(*segmenter.segments()[2].bytes);
}

TEST(HlsSegmenter, ConfigurationChangeStartsADiscontinuity) {
  HlsSegmenter segmenter = with_configs();
  feed(segmenter, stream(3.0, 50));
  segmenter.feed(*video_config(1));  // the same record again (the Hub repeats it): nothing happens
  feed(segmenter, stream(1.0, 50, 3 * kTicksPerSecond));
  EXPECT_EQ(segmenter.stats().discontinuities, 0u);
  segmenter.feed(*video_config(1, 0xb1));  // a new PPS from the same publisher
  feed(segmenter, stream(2.1, 50, 4 * kTicksPerSecond));
  ASSERT_EQ(segmenter.segments().size(), 3u);
  EXPECT_FALSE(segmenter.segments()[1].discontinuity);
  EXPECT_TRUE(segmenter.segments()[2].discontinuity);
}

TEST(HlsSegmenter, OversizedSegmentIsDroppedWithACountedError) {
  HlsSegmenterOptions options;
  options.max_segment_bytes = 96 * 1024;
  HlsSegmenter segmenter = with_configs(options);
  feed(segmenter, stream(4.0, 50));  // small frames: segment 0 (about 40 KB), 1 open
  ASSERT_EQ(segmenter.segments().size(), 1u);
  // A 6 s GOP of 2 KB frames is about 300 KB: dropped once it passes the cap, which is never exceeded.
  for (int i = 0; i < 150; ++i) {
    segmenter.feed(*frame(4 * kTicksPerSecond + i * kFrameTicks, i == 0, 1, 2000));
    EXPECT_LE(segmenter.open_segment_bytes(), options.max_segment_bytes);
  }
  EXPECT_EQ(segmenter.stats().dropped_segments, 1u);
  EXPECT_EQ(segmenter.stats().errors, 1u);
  EXPECT_NE(segmenter.stats().last_error.find("keyframe"), std::string::npos);
  // Segment 1 (2 s .. 4 s) was closed at the keyframe that began the long GOP; the next keyframe starts a
  // discontinuous segment.
  feed(segmenter, stream(4.1, 50, 10 * kTicksPerSecond));
  const auto& segments = segmenter.segments();
  ASSERT_EQ(segments.size(), 4u);
  EXPECT_FALSE(segments[1].discontinuity);
  EXPECT_TRUE(segments[2].discontinuity);
  EXPECT_EQ(segments[2].sequence, 2u);  // the dropped segment never got a number
  for (const auto& s : segments) EXPECT_LE(s.bytes->size(), options.max_segment_bytes);
  EXPECT_NE(segmenter.playlist().find("#EXT-X-DISCONTINUITY\n"), std::string::npos);
}

TEST(HlsSegmenter, UnsupportedCodecIsLeftOutWithAnError) {
  HlsSegmenter segmenter = with_configs({}, /*audio_only=*/true);
  auto hevc = make_media_packet(PacketKind::kVideo, Codec::kHevc, 0, 0, 1);
  segmenter.feed(*hevc);
  feed(segmenter, audio_stream(2.5));
  EXPECT_EQ(segmenter.segments().size(), 1u);
  EXPECT_EQ(segmenter.stats().errors, 1u);
  EXPECT_NE(segmenter.stats().last_error.find("H.264 and AAC"), std::string::npos);
}

TEST(HlsSegmenter, FlushListsTheOpenSegment) {
  HlsSegmenter segmenter = with_configs();
  feed(segmenter, stream(3.0, 50));
  segmenter.flush();
  ASSERT_EQ(segmenter.segments().size(), 2u);
  EXPECT_EQ(segmenter.segments()[1].duration_ticks, 1 * kTicksPerSecond);
  EXPECT_EQ(segmenter.open_segment_bytes(), 0u);
}

TEST(HlsSegmenter, EmptyPlaylistIsStillValid) {
  HlsSegmenter segmenter;
  EXPECT_EQ(segmenter.playlist(),
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n");
}

}  // namespace
}  // namespace lunora::media
