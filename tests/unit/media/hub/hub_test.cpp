#include "media/hub/hub.hpp"

#include <gtest/gtest.h>

#include "support/packets.hpp"

namespace lunora::media {
namespace {

using testing::audio;
using testing::config;
using testing::RecordingOutput;
using testing::video;

TEST(Hub, NewOutputGetsConfigThenCachedGopFromLastKeyframe) {
  Hub hub;
  hub.publish(config(PacketKind::kVideoConfig));
  hub.publish(config(PacketKind::kAudioConfig));
  hub.publish(video(0, true));
  hub.publish(video(33, false));
  auto key = video(66, true);
  hub.publish(key);
  hub.publish(audio(70));
  hub.publish(video(100, false));

  auto out = std::make_shared<RecordingOutput>();
  hub.add_output(out);
  ASSERT_EQ(out->packets.size(), 5u);
  EXPECT_EQ(out->packets[0]->kind, PacketKind::kVideoConfig);
  EXPECT_EQ(out->packets[1]->kind, PacketKind::kAudioConfig);
  EXPECT_EQ(out->packets[2], key);  // the same shared packet, never a copy
  EXPECT_EQ(out->packets[3]->kind, PacketKind::kAudio);
  EXPECT_EQ(out->packets[4]->dts, ms_to_ticks(100));
}

TEST(Hub, FansOutToEveryOutputAndRemovalStopsOnlyThatOne) {
  Hub hub;
  auto a = std::make_shared<RecordingOutput>();
  auto b = std::make_shared<RecordingOutput>();
  hub.add_output(a);
  hub.add_output(b);
  hub.publish(video(0, true));
  hub.remove_output(a.get());
  hub.publish(video(33, false));
  EXPECT_EQ(a->packets.size(), 1u);
  EXPECT_EQ(b->packets.size(), 2u);
  EXPECT_EQ(hub.output_count(), 1u);
}

TEST(Hub, ConfigChangeReachesOutputsAndNewJoiners) {
  Hub hub;
  auto a = std::make_shared<RecordingOutput>();
  hub.add_output(a);
  hub.publish(config(PacketKind::kVideoConfig));
  auto second = config(PacketKind::kVideoConfig);
  hub.publish(second);
  EXPECT_EQ(a->packets.back(), second);
  auto b = std::make_shared<RecordingOutput>();
  hub.add_output(b);
  ASSERT_FALSE(b->packets.empty());
  EXPECT_EQ(b->packets.front(), second);
}

TEST(Hub, InputEndDropsStaleGop) {
  Hub hub;
  hub.publish(config(PacketKind::kVideoConfig));
  hub.publish(video(0, true));
  hub.input_ended();
  auto out = std::make_shared<RecordingOutput>();
  hub.add_output(out);
  ASSERT_EQ(out->packets.size(), 1u);
  EXPECT_TRUE(out->packets[0]->is_config());
}

TEST(Hub, GopCacheIsBounded) {
  Hub hub(HubLimits{.max_gop_packets = 10, .max_gop_bytes = 1 << 30, .max_audio_only_packets = 5});
  hub.publish(config(PacketKind::kVideoConfig));
  hub.publish(video(0, true));
  for (int i = 1; i < 20; ++i) hub.publish(video(i * 33, false));
  auto out = std::make_shared<RecordingOutput>();
  hub.add_output(out);
  EXPECT_EQ(out->packets.size(), 1u);  // only the config: the oversized GOP was dropped
}

TEST(Hub, CodecsReachOutputsOnceAndOnJoin) {
  Hub hub;
  auto a = std::make_shared<RecordingOutput>();
  hub.add_output(a);
  hub.set_input_codecs({Codec::kHevc, Codec::kAac});
  hub.set_input_codecs({Codec::kHevc, Codec::kAac});
  EXPECT_EQ(a->codecs.size(), 1u);
  auto b = std::make_shared<RecordingOutput>();
  hub.add_output(b);
  ASSERT_EQ(b->codecs.size(), 1u);
  EXPECT_EQ(b->codecs[0].video, Codec::kHevc);
}

}  // namespace
}  // namespace lunora::media
