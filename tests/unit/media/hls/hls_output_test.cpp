#include "media/hls/hls_output.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "media/hub/hub.hpp"
#include "unit/media/hls/hls_test_support.hpp"

namespace lunora::media {
namespace {

using namespace hls_test;
using std::chrono::steady_clock;

bool wait_for(const std::function<bool()>& predicate, std::chrono::milliseconds deadline) {
  const auto until = steady_clock::now() + deadline;
  while (steady_clock::now() < until) {
    if (predicate()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return predicate();
}

HlsOutputOptions roomy_options() {
  HlsOutputOptions options;
  options.queue.max_duration_ticks = 600 * kTicksPerSecond;  // the test publishes faster than real time
  options.queue.max_bytes = 256 << 20;
  return options;
}

TEST(HlsOutput, PackagesWhatTheHubPublishesAndServesItToOtherThreads) {
  Hub hub;
  auto output = std::make_shared<HlsOutput>(roomy_options());
  hub.set_input_codecs({Codec::kH264, Codec::kAac});
  hub.publish(video_config());
  hub.publish(audio_config());
  output->start();
  hub.add_output(output);

  std::thread input([&hub] {
    for (const auto& p : stream(9.0, 50)) hub.publish(p);  // 2 s GOPs: segments 0..3, the 4th open
  });
  input.join();
  ASSERT_TRUE(wait_for([&] { return output->segments_published() >= 4; }, std::chrono::seconds(10)));

  // Readers on another thread than the worker (the test's), concurrently with more input.
  std::thread more([&hub] {
    for (const auto& p : stream(4.0, 50, 10 * kTicksPerSecond)) hub.publish(p);  // closes 4 and 5
  });
  const std::string playlist = output->playlist();
  EXPECT_EQ(playlist.rfind("#EXTM3U\n#EXT-X-VERSION:3\n", 0), 0u) << playlist;
  EXPECT_NE(playlist.find("#EXTINF:2.000,\nseg-0.ts\n"), std::string::npos) << playlist;
  for (const char* name : {"seg-0.ts", "seg-1.ts", "seg-2.ts", "seg-3.ts"}) {
    auto bytes = output->segment(name);
    ASSERT_NE(bytes, nullptr) << name;
    auto rec = test::demux(*bytes, bytes->size());
    bool config_seen = false;
    for (const auto& p : rec.packets) {
      config_seen = config_seen || p->kind == PacketKind::kVideoConfig;
      if (p->kind != PacketKind::kVideo) continue;
      EXPECT_TRUE(config_seen) << name;
      EXPECT_TRUE(p->keyframe) << name;
      break;
    }
    EXPECT_EQ(rec.count(PacketKind::kVideo), 50u) << name;
    EXPECT_EQ(rec.count(PacketKind::kAudioConfig), 1u) << name;
  }
  EXPECT_EQ(output->segment("seg-99.ts"), nullptr);
  more.join();
  ASSERT_TRUE(wait_for([&] { return output->segments_published() >= 6; }, std::chrono::seconds(10)));
  EXPECT_NE(output->playlist().find("seg-5.ts"), std::string::npos);

  const HlsOutputStats stats = output->stats();
  // Only the AAC frame at 0 s, queued before the first keyframe, which an output cannot start with.
  EXPECT_EQ(stats.dropped_packets, 1u);
  EXPECT_GE(stats.segmenter.segments, 6u);
  EXPECT_TRUE(stats.codec_error.empty());
  hub.remove_output(output.get());
  output->stop();
  output->stop();  // idempotent
}

TEST(HlsOutput, JoiningARunningHubStartsFromTheCachedGop) {
  Hub hub;
  hub.publish(video_config());
  hub.publish(audio_config());
  for (const auto& p : stream(3.0, 50)) hub.publish(p);  // the Hub caches the GOP from 2 s
  auto output = std::make_shared<HlsOutput>(roomy_options());
  hub.add_output(output);  // before start(): the queue keeps the current GOP
  output->start();
  for (const auto& p : stream(1.0, 50, 4 * kTicksPerSecond)) hub.publish(p);  // keyframe at 4 s closes one
  ASSERT_TRUE(wait_for([&] { return output->segments_published() >= 1; }, std::chrono::seconds(10)));
  auto bytes = output->segment("seg-0.ts");
  ASSERT_NE(bytes, nullptr);
  auto rec = test::demux(*bytes, bytes->size());
  ASSERT_GE(rec.count(PacketKind::kVideo), 1u);
  for (const auto& p : rec.packets) {
    if (p->kind != PacketKind::kVideo) continue;
    EXPECT_TRUE(p->keyframe);
    EXPECT_EQ(p->dts, 2 * kTicksPerSecond);
    break;
  }
  EXPECT_NE(output->playlist().find("#EXTINF:2.000,\nseg-0.ts"), std::string::npos) << output->playlist();
}

TEST(HlsOutput, StopWithAFullQueueReturnsPromptly) {
  HlsOutputOptions options = roomy_options();
  HlsOutput output(options);
  // One long GOP queued before start(): about 20000 packets for the worker to chew through.
  output.offer(video_config());
  output.offer(audio_config());
  for (const auto& p : stream(800.0, 1 << 30)) output.offer(p);
  output.start();
  // stop() must return with work still queued (a hang fails the test by its timeout; how fast it returns is a
  // benchmark's business, not a pass/fail test's).
  output.stop();
  // After stop nothing is packaged any more, and offering still never blocks.
  output.offer(frame(0, true));
  output.start();  // no restart after stop
  EXPECT_EQ(output.segments_published(), 0u);
}

TEST(HlsOutput, DestructorStopsARunningWorker) {
  auto output = std::make_unique<HlsOutput>();
  output->start();
  output->offer(video_config());
  output.reset();  // joins; a hang here fails the test by timeout
  SUCCEED();
}

TEST(HlsOutput, ReportsAnUnsupportedInputCodec) {
  HlsOutput output;
  output.on_input_codecs({Codec::kHevc, Codec::kAac});
  EXPECT_EQ(
      output.stats().codec_error,
      "the input's video is hevc; HLS carries H.264 video and AAC audio only (set the encoder to H.264/AAC)");
  output.on_input_codecs({Codec::kHevc, Codec::kUnknown});  // no audio track: not mentioned
  EXPECT_EQ(output.stats().codec_error.find("audio is"), std::string::npos);
  output.on_input_codecs({Codec::kH264, Codec::kAac});
  EXPECT_TRUE(output.stats().codec_error.empty());
}

TEST(HlsOutput, PlaylistBeforeAnySegmentIsValidAndEmpty) {
  HlsOutput output;
  EXPECT_EQ(output.playlist(),
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n");
  EXPECT_EQ(output.segment("seg-0.ts"), nullptr);
}

}  // namespace
}  // namespace lunora::media
