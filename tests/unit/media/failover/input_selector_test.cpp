// Primary and backup on an explicit clock: only the active input passes; a silent primary hands over to the
// backup at once from the backup's latest keyframe; the primary takes over again at its keyframe after
// `failback_after`, or only by hand; a switch by hand needs an input that delivers.
#include "media/failover/input_selector.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace lunora::media {
namespace {

using Clock = InputSelector::Clock;
using std::chrono::milliseconds;

class RecordingSink final : public PacketSink {
 public:
  void publish(const MediaPacketPtr& packet) override { packets.push_back(packet); }
  void set_input_codecs(const InputCodecs& codecs) override { codec_calls.push_back(codecs); }
  void input_ended() override { ++ended; }
  std::vector<MediaPacketPtr> packets;
  std::vector<InputCodecs> codec_calls;
  int ended = 0;
};

constexpr uint32_t kPrimaryEpoch = 1;
constexpr uint32_t kBackupEpoch = 2;

MediaPacketPtr config(PacketKind kind, uint32_t epoch) {
  auto p =
      make_media_packet(kind, kind == PacketKind::kVideoConfig ? Codec::kH264 : Codec::kAac, 0, 0, epoch);
  p->payload = {1, 2, 3};
  return p;
}

MediaPacketPtr media(PacketKind kind, int64_t dts, bool keyframe, uint32_t epoch) {
  auto p = make_media_packet(kind, kind == PacketKind::kVideo ? Codec::kH264 : Codec::kAac, dts, dts, epoch);
  p->keyframe = keyframe;
  p->payload = {9, 9};
  return p;
}

class InputSelectorTest : public ::testing::Test {
 protected:
  InputSelectorTest() : selector(sink, {true, milliseconds(1000), milliseconds(3000)}) {}

  void configs(InputRole role) {
    const uint32_t epoch = role == InputRole::kPrimary ? kPrimaryEpoch : kBackupEpoch;
    selector.publish(role, config(PacketKind::kVideoConfig, epoch), now);
    selector.publish(role, config(PacketKind::kAudioConfig, epoch), now);
  }
  // One frame period: a video frame from each input that is `on` (keyframes every 30 frames), then a tick.
  void frame(bool primary_on, bool backup_on) {
    const bool keyframe = frame_ % 30 == 0;
    if (primary_on) {
      selector.publish(InputRole::kPrimary, media(PacketKind::kVideo, frame_ * 3000, keyframe, kPrimaryEpoch),
                       now);
    }
    // The backup's own clock, far from the primary's.
    if (backup_on) {
      selector.publish(InputRole::kBackup,
                       media(PacketKind::kVideo, 5'000'000 + frame_ * 3000, keyframe, kBackupEpoch), now);
    }
    selector.tick(now);
    now += milliseconds(33);
    ++frame_;
  }
  void frames(int n, bool primary_on, bool backup_on) {
    for (int i = 0; i < n; ++i) frame(primary_on, backup_on);
  }
  size_t count_epoch(uint32_t epoch, size_t from = 0) const {
    size_t n = 0;
    for (size_t i = from; i < sink.packets.size(); ++i) n += sink.packets[i]->epoch == epoch ? 1 : 0;
    return n;
  }

  RecordingSink sink;
  InputSelector selector;
  Clock::time_point now = Clock::now();
  int64_t frame_ = 0;
};

TEST_F(InputSelectorTest, OnlyThePrimaryPassesWhileItDelivers) {
  configs(InputRole::kPrimary);
  configs(InputRole::kBackup);
  frames(90, true, true);
  EXPECT_EQ(count_epoch(kBackupEpoch), 0u);
  EXPECT_EQ(count_epoch(kPrimaryEpoch), 92u);  // two configs and 90 frames
  const auto stats = selector.stats(now);
  EXPECT_EQ(stats.active, InputRole::kPrimary);
  EXPECT_EQ(stats.failovers, 0u);
  EXPECT_TRUE(stats.primary_delivering);
  EXPECT_TRUE(stats.backup_delivering);
}

TEST_F(InputSelectorTest, ASilentPrimaryHandsOverAtOnceFromTheBackupsLatestKeyframe) {
  configs(InputRole::kPrimary);
  configs(InputRole::kBackup);
  frames(40, true, true);  // the backup's latest keyframe was frame 30
  const size_t before = sink.packets.size();
  const auto silent_at = now;
  while (selector.stats(now).active == InputRole::kPrimary) {
    frame(false, true);
    ASSERT_LT(now - silent_at, milliseconds(1100)) << "no failover after failover_after";
  }
  EXPECT_GE(now - silent_at, milliseconds(1000));
  const auto stats = selector.stats(now);
  EXPECT_EQ(stats.failovers, 1u);
  EXPECT_EQ(stats.last_reason, "primary_lost");
  ASSERT_TRUE(stats.last_switch_at.has_value());
  // The backup's configuration first, then its latest keyframe (frame 60: the primary went silent at frame
  // 40, the switch came ~30 frames later) and every frame since, in order.
  ASSERT_GT(sink.packets.size(), before + 3);
  EXPECT_EQ(sink.packets[before]->kind, PacketKind::kVideoConfig);
  EXPECT_EQ(sink.packets[before]->epoch, kBackupEpoch);
  EXPECT_EQ(sink.packets[before + 1]->kind, PacketKind::kAudioConfig);
  EXPECT_TRUE(sink.packets[before + 2]->keyframe);
  EXPECT_EQ(sink.packets[before + 2]->epoch, kBackupEpoch);
  for (size_t i = before + 3; i < sink.packets.size(); ++i) {
    EXPECT_EQ(sink.packets[i]->dts, sink.packets[i - 1]->dts + 3000);
  }
  // From now on the backup passes and the primary's late packets do not.
  const size_t switched = sink.packets.size();
  frames(10, true, true);
  EXPECT_EQ(count_epoch(kPrimaryEpoch, switched), 0u);
  EXPECT_EQ(count_epoch(kBackupEpoch, switched), 10u);
}

TEST_F(InputSelectorTest, ThePrimaryTakesOverAgainAtItsKeyframeAfterFailbackAfter) {
  configs(InputRole::kPrimary);
  configs(InputRole::kBackup);
  frames(30, true, true);
  frames(40, false, true);
  ASSERT_EQ(selector.stats(now).active, InputRole::kBackup);
  configs(InputRole::kPrimary);
  const auto back_at = now;
  while (selector.stats(now).active == InputRole::kBackup) {
    frame(true, true);
    ASSERT_LT(now - back_at, milliseconds(5000)) << "no failback";
  }
  // failback_after (3 s), then the primary's next keyframe.
  EXPECT_GE(now - back_at, milliseconds(3000));
  const auto stats = selector.stats(now);
  EXPECT_EQ(stats.failbacks, 1u);
  EXPECT_EQ(stats.last_reason, "failback");
  const auto& last = sink.packets.back();
  EXPECT_EQ(last->epoch, kPrimaryEpoch);
  EXPECT_TRUE(last->keyframe);
}

TEST_F(InputSelectorTest, APublisherReconnectingRightAfterTheOldOnesLastPacketsStillFailsBack) {
  configs(InputRole::kPrimary);
  configs(InputRole::kBackup);
  frames(30, true, true);
  frames(40, false, true);
  ASSERT_EQ(selector.stats(now).active, InputRole::kBackup);
  // The old connection's demuxer flushes a last frame as it ends; the new publisher follows at once.
  frame(true, true);
  selector.input(InputRole::kPrimary).input_ended();
  configs(InputRole::kPrimary);
  const auto back_at = now;
  while (selector.stats(now).active == InputRole::kBackup) {
    frame(true, true);
    ASSERT_LT(now - back_at, milliseconds(5000)) << "no failback";
  }
  EXPECT_GE(now - back_at, milliseconds(3000));
}

TEST_F(InputSelectorTest, NoAutomaticFailbackWhenFailbackAfterIsZero) {
  selector.set_options({true, milliseconds(1000), milliseconds(0)});
  configs(InputRole::kPrimary);
  configs(InputRole::kBackup);
  frames(30, true, true);
  frames(40, false, true);
  ASSERT_EQ(selector.stats(now).active, InputRole::kBackup);
  frames(300, true, true);
  EXPECT_EQ(selector.stats(now).active, InputRole::kBackup);
  ASSERT_TRUE(selector.request_switch(InputRole::kPrimary, now));
  EXPECT_EQ(selector.stats(now).pending, InputRole::kPrimary);
  frames(31, true, true);
  EXPECT_EQ(selector.stats(now).active, InputRole::kPrimary);
  EXPECT_EQ(selector.stats(now).last_reason, "manual");
}

TEST_F(InputSelectorTest, ASwitchByHandNeedsAnInputThatDelivers) {
  configs(InputRole::kPrimary);
  frames(30, true, false);
  auto refused = selector.request_switch(InputRole::kBackup, now);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message(), "the backup input delivers no media");
  configs(InputRole::kBackup);
  frames(5, true, true);
  ASSERT_TRUE(selector.request_switch(InputRole::kBackup, now));
  frames(30, true, true);
  EXPECT_EQ(selector.stats(now).active, InputRole::kBackup);
  // Held by hand: a healthy primary does not take over on its own.
  frames(200, true, true);
  EXPECT_EQ(selector.stats(now).active, InputRole::kBackup);
}

TEST_F(InputSelectorTest, WithoutABackupThePrimaryAlwaysPasses) {
  selector.set_options({false, milliseconds(1000), milliseconds(3000)});
  configs(InputRole::kPrimary);
  configs(InputRole::kBackup);
  frames(30, true, true);
  frames(60, false, true);
  EXPECT_EQ(selector.stats(now).active, InputRole::kPrimary);
  EXPECT_EQ(count_epoch(kBackupEpoch), 0u);
  auto refused = selector.request_switch(InputRole::kBackup, now);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message(), "the channel has no backup input");
}

TEST_F(InputSelectorTest, RemovingTheBackupOnAirGoesBackToThePrimary) {
  configs(InputRole::kPrimary);
  configs(InputRole::kBackup);
  frames(30, true, true);
  frames(40, false, true);
  ASSERT_EQ(selector.stats(now).active, InputRole::kBackup);
  // The primary delivers: it takes over at its next keyframe.
  frames(5, true, true);
  selector.set_options({false, milliseconds(1000), milliseconds(3000)});
  frames(31, true, true);
  EXPECT_EQ(selector.stats(now).active, InputRole::kPrimary);
  EXPECT_EQ(selector.stats(now).last_reason, "backup_removed");
  // The primary silent: at once, and the sink hears that nothing is on air.
  selector.set_options({true, milliseconds(1000), milliseconds(3000)});
  frames(40, false, true);
  ASSERT_EQ(selector.stats(now).active, InputRole::kBackup);
  const int ended = sink.ended;
  selector.set_options({false, milliseconds(1000), milliseconds(3000)});
  frame(false, true);
  EXPECT_EQ(selector.stats(now).active, InputRole::kPrimary);
  EXPECT_EQ(sink.ended, ended + 1);
  const size_t after = sink.packets.size();
  frames(10, false, true);
  EXPECT_EQ(sink.packets.size(), after) << "the removed backup's packets do not pass";
}

TEST_F(InputSelectorTest, OnlyTheActiveInputsEndAndCodecsReachTheSink) {
  configs(InputRole::kPrimary);
  configs(InputRole::kBackup);
  selector.input(InputRole::kBackup).set_input_codecs({Codec::kHevc, Codec::kAac});
  selector.input(InputRole::kBackup).input_ended();
  EXPECT_TRUE(sink.codec_calls.empty());
  EXPECT_EQ(sink.ended, 0);
  selector.input(InputRole::kPrimary).set_input_codecs({Codec::kH264, Codec::kAac});
  selector.input(InputRole::kPrimary).input_ended();
  ASSERT_EQ(sink.codec_calls.size(), 1u);
  EXPECT_EQ(sink.codec_calls[0].video, Codec::kH264);
  EXPECT_EQ(sink.ended, 1);
}

}  // namespace
}  // namespace lunora::media
