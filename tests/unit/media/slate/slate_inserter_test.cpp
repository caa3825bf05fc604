// Input -> slate -> input through a real Hub, on an explicit clock: the slate starts after `slate_after` of
// silence, runs in real time on the input's timeline, and hands over at the input's next keyframe with the
// input's configuration sent again.
#include "media/slate/slate_inserter.hpp"

#include <gtest/gtest.h>

#include "media/hub/output_clock.hpp"

#include <vector>

namespace lunora::media {
namespace {

using Clock = SlateInserter::Clock;
using std::chrono::milliseconds;

class RecordingOutput final : public Output {
 public:
  void offer(const MediaPacketPtr& packet) override { packets.push_back(packet); }
  void on_input_codecs(const InputCodecs&) override {}
  std::vector<MediaPacketPtr> packets;
};

MediaPacketPtr config(PacketKind kind, uint32_t epoch) {
  auto p =
      make_media_packet(kind, kind == PacketKind::kVideoConfig ? Codec::kH264 : Codec::kAac, 0, 0, epoch);
  p->video = VideoParams{320, 180, 30, 100, 30};
  p->audio = AudioParams{48000, 2, 2};
  p->payload = {1, 2, 3};
  return p;
}

MediaPacketPtr media(PacketKind kind, int64_t dts, bool keyframe, uint32_t epoch) {
  auto p = make_media_packet(kind, kind == PacketKind::kVideo ? Codec::kH264 : Codec::kAac, dts, dts, epoch);
  p->keyframe = keyframe;
  p->payload = {9, 9};
  return p;
}

class SlateInserterTest : public ::testing::Test {
 protected:
  SlateInserterTest() : inserter(hub, {milliseconds(1000), {}}) { hub.add_output(output); }

  // One second of input at 30 fps with a keyframe at its start, starting at `dts`, arriving in real time.
  void input_second(int64_t dts, uint32_t epoch = 1) {
    for (int i = 0; i < 30; ++i) {
      inserter.publish(media(PacketKind::kVideo, dts + i * 3000, i == 0, epoch), now);
      inserter.tick(now);
      now += milliseconds(33);
    }
  }
  std::vector<MediaPacketPtr> slate_packets() const {
    std::vector<MediaPacketPtr> out;
    for (const auto& p : output->packets) {
      if (p->payload != Bytes{9, 9} && p->payload != Bytes{1, 2, 3}) out.push_back(p);
    }
    return out;
  }

  Hub hub;
  std::shared_ptr<RecordingOutput> output = std::make_shared<RecordingOutput>();
  SlateInserter inserter;
  Clock::time_point now = Clock::time_point{} + std::chrono::hours(1);
};

TEST_F(SlateInserterTest, PassesTheInputThroughWhileItFlows) {
  inserter.publish(config(PacketKind::kVideoConfig, 1), now);
  inserter.publish(config(PacketKind::kAudioConfig, 1), now);
  input_second(900000);
  EXPECT_EQ(output->packets.size(), 32u);
  EXPECT_TRUE(slate_packets().empty());
  EXPECT_FALSE(inserter.stats(now).slate_on);
}

TEST_F(SlateInserterTest, SlateAfterSilenceThenBackAtTheInputsKeyframe) {
  inserter.publish(config(PacketKind::kVideoConfig, 1), now);
  inserter.publish(config(PacketKind::kAudioConfig, 1), now);
  input_second(900000);
  const int64_t last_input_dts = 900000 + 29 * 3000;
  const auto last_input_at = now - milliseconds(33);

  // 999 ms of silence: nothing yet.
  now = last_input_at + milliseconds(999);
  inserter.tick(now);
  EXPECT_TRUE(slate_packets().empty());

  // At 1000 ms the slate goes on: its configuration, then frames, stamped on the input's timeline.
  now = last_input_at + milliseconds(1000);
  inserter.tick(now);
  auto slate = slate_packets();
  ASSERT_GE(slate.size(), 3u);
  EXPECT_EQ(slate[0]->kind, PacketKind::kVideoConfig);
  EXPECT_EQ(slate[1]->kind, PacketKind::kAudioConfig);
  EXPECT_EQ(slate[2]->kind, PacketKind::kVideo);
  EXPECT_TRUE(slate[2]->keyframe);
  EXPECT_NE(slate[2]->epoch, 1u) << "an epoch of its own: each destination splices it after the input";
  EXPECT_EQ(slate[0]->epoch, slate[2]->epoch);
  EXPECT_EQ(slate[2]->dts, last_input_dts + 3000);  // one frame after the input's last
  EXPECT_TRUE(inserter.stats(now).slate_on);
  EXPECT_EQ(slate[0]->video.width, 320);

  // Three seconds of slate in real time: ~90 video frames and ~140 audio frames, DTS rising per track.
  for (int i = 0; i < 300; ++i) {
    now += milliseconds(10);
    inserter.tick(now);
  }
  slate = slate_packets();
  int video = 0;
  int audio = 0;
  int keyframes = 0;
  int64_t last_video = 0;
  int64_t last_audio = 0;
  for (const auto& p : slate) {
    if (p->kind == PacketKind::kVideo) {
      ++video;
      keyframes += p->keyframe ? 1 : 0;
      EXPECT_GT(p->dts, last_video);
      last_video = p->dts;
    } else if (p->kind == PacketKind::kAudio) {
      ++audio;
      EXPECT_GT(p->dts, last_audio);
      last_audio = p->dts;
    }
  }
  EXPECT_NEAR(video, 91, 1);
  EXPECT_NEAR(audio, 141, 2);  // 48 kHz / 1024 samples
  EXPECT_EQ(keyframes, 2);     // a GOP every 2 s
  EXPECT_NEAR(inserter.stats(now).slate_seconds, 3.0, 0.02);

  // The encoder comes back (restarted: new epoch, timestamps from 0). Inter frames wait; its keyframe takes
  // over, after its configuration sent again.
  const size_t before = output->packets.size();
  inserter.publish(config(PacketKind::kVideoConfig, 2), now);
  inserter.publish(media(PacketKind::kVideo, 3000, false, 2), now);
  EXPECT_EQ(output->packets.size(), before) << "nothing of the input before its keyframe";
  inserter.publish(media(PacketKind::kVideo, 6000, true, 2), now);
  ASSERT_EQ(output->packets.size(), before + 3);
  EXPECT_EQ(output->packets[before]->kind, PacketKind::kVideoConfig);
  EXPECT_EQ(output->packets[before + 1]->kind, PacketKind::kAudioConfig);
  EXPECT_EQ(output->packets[before + 2]->dts, 6000);
  EXPECT_EQ(inserter.stats(now).dropped_packets, 1u);
  EXPECT_FALSE(inserter.stats(now).slate_on);

  // The slate is off: ticks send nothing more of it.
  const size_t after = output->packets.size();
  now += milliseconds(500);
  inserter.tick(now);
  EXPECT_EQ(output->packets.size(), after);
  EXPECT_EQ(inserter.stats(now).slates, 1u);
}

TEST_F(SlateInserterTest, ADestinationSeesOneContinuousTimeline) {
  inserter.publish(config(PacketKind::kVideoConfig, 1), now);
  input_second(5'000'000);
  now += milliseconds(1500);  // the uplink drops: slate after 1 s
  for (int i = 0; i < 200; ++i) {
    now += milliseconds(10);
    inserter.tick(now);
  }
  inserter.publish(config(PacketKind::kVideoConfig, 2), now);
  input_second(0, 2);  // the encoder restarted: its timestamps start again from 0
  input_second(90000, 2);

  // What an RTMP destination stamps: monotonic video, no gap over one frame (33 ms at 30 fps).
  OutputClock clock;
  int64_t last = -1;
  int64_t widest = 0;
  int frames = 0;
  for (const auto& p : output->packets) {
    if (p->kind != PacketKind::kVideo) continue;
    const int64_t ms = clock.map_ms(*p);
    if (last >= 0) widest = std::max(widest, ms - last);
    EXPECT_GE(ms, last);
    last = ms;
    ++frames;
  }
  EXPECT_LE(widest, 34);
  EXPECT_GT(frames, 60 + 50);
}

TEST_F(SlateInserterTest, NoSlateBeforeTheInputEverSentMedia) {
  now += milliseconds(5000);
  inserter.tick(now);
  EXPECT_TRUE(output->packets.empty());
}

TEST_F(SlateInserterTest, AnImageThatCannotBeUsedIsAnErrorNotACrash) {
  SlateInserter broken(hub, {milliseconds(100), Bytes{'n', 'o', 'p', 'e'}});
  broken.publish(config(PacketKind::kVideoConfig, 1), now);
  broken.publish(media(PacketKind::kVideo, 0, true, 1), now);
  now += milliseconds(200);
  broken.tick(now);
  EXPECT_FALSE(broken.stats(now).slate_on);
  EXPECT_EQ(broken.stats(now).last_error, "the slate is not a PNG or JPEG image");
  // Not retried on every tick: only once the input sends media again.
  now += milliseconds(200);
  broken.tick(now);
  EXPECT_EQ(broken.stats(now).slates, 0u);
}

}  // namespace
}  // namespace lunora::media
