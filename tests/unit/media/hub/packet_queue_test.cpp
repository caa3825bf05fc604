#include "media/hub/packet_queue.hpp"

#include <gtest/gtest.h>

#include "support/packets.hpp"

namespace lunora::media {
namespace {

using testing::audio;
using testing::config;
using testing::video;

TEST(PacketQueue, NotLiveKeepsOnlyTheCurrentGopAndCountsNothing) {
  PacketQueue q;
  q.push(config(PacketKind::kVideoConfig));
  q.push(video(0, false));  // before any keyframe: useless
  q.push(video(33, true));
  q.push(video(66, false));
  q.push(video(100, true));
  q.push(audio(110));
  std::vector<MediaPacketPtr> out;
  q.take_all(out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_TRUE(out[0]->is_config());
  EXPECT_EQ(out[1]->dts, ms_to_ticks(100));
  EXPECT_EQ(q.dropped_packets(), 0u);
}

TEST(PacketQueue, LiveOverflowDropsToNextKeyframeAndCounts) {
  PacketQueue q(PacketQueueLimits{.max_duration_ticks = ms_to_ticks(500), .max_bytes = 1 << 30});
  q.push(config(PacketKind::kVideoConfig));
  q.push(video(0, true));
  q.set_gop_only(false);
  for (int i = 1; i <= 20; ++i) q.push(video(i * 33, false));  // 660 ms > 500 ms: overflow
  q.push(audio(700));                                          // waiting for a keyframe: dropped
  q.push(video(700, false));                                   // dropped
  q.push(video(733, true));                                    // resumes
  std::vector<MediaPacketPtr> out;
  q.take_all(out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(out[0]->is_config());
  EXPECT_TRUE(out[1]->keyframe);
  EXPECT_GT(q.dropped_packets(), 15u);
}

TEST(PacketQueue, AudioOnlyStreamsNeverWaitForVideo) {
  PacketQueue q;
  q.push(config(PacketKind::kAudioConfig));
  q.push(audio(0));
  q.push(audio(21));
  std::vector<MediaPacketPtr> out;
  q.take_all(out);
  EXPECT_EQ(out.size(), 2u);  // config + the latest audio (each audio frame starts a "GOP" while not live)
}

TEST(PacketQueue, ByteLimitAlsoBounds) {
  PacketQueue q(PacketQueueLimits{.max_duration_ticks = ms_to_ticks(60000), .max_bytes = 5000});
  q.set_gop_only(false);
  q.push(video(0, true));
  for (int i = 1; i < 10; ++i) q.push(video(i, false));
  EXPECT_LE(q.size(), 5u);
  EXPECT_GT(q.dropped_packets(), 0u);
}

}  // namespace
}  // namespace lunora::media
