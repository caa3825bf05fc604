// A rendition on real H.264 (media/transcode/rendition.hpp): joined to a channel's Hub like any output, it
// encodes on its own thread and publishes into its own Hub, where a destination joins as on the input's.
#include "media/transcode/rendition.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "media/slate/slate_encoder.hpp"

namespace lunora::media {
namespace {

// A destination on the rendition's Hub: keeps what it is offered.
class Collector final : public Output {
 public:
  void offer(const MediaPacketPtr& packet) override {
    std::lock_guard lock(mutex_);
    packets_.push_back(packet);
    changed_.notify_all();
  }
  void on_input_codecs(const InputCodecs& codecs) override {
    std::lock_guard lock(mutex_);
    codecs_ = codecs;
  }
  // Waits until `count` video frames arrived (or 20 s).
  std::vector<MediaPacketPtr> wait_for_frames(size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::seconds(20), [&] { return frames() >= count; });
    return packets_;
  }
  InputCodecs codecs() {
    std::lock_guard lock(mutex_);
    return codecs_;
  }

 private:
  size_t frames() const {
    size_t n = 0;
    for (const auto& p : packets_) n += p->kind == PacketKind::kVideo ? 1 : 0;
    return n;
  }
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<MediaPacketPtr> packets_;
  InputCodecs codecs_;
};

TEST(Rendition, EncodesOnItsOwnThreadIntoItsOwnHubAndPassesAudioThrough) {
  VideoProfile profile;
  profile.width = 320;
  profile.height = 180;
  profile.fps = 15;
  profile.bitrate_kbps = 300;
  profile.keyframe_interval_s = 1;
  auto rendition = Rendition::start(profile);
  ASSERT_TRUE(rendition) << rendition.error().message();
  auto destination = std::make_shared<Collector>();
  (*rendition)->hub().add_output(destination);
  Hub channel;
  channel.add_output(*rendition);
  channel.set_input_codecs({Codec::kH264, Codec::kAac});

  SlateSpec spec;
  spec.width = 640;
  spec.height = 360;
  spec.gop_seconds = 1;
  spec.sample_rate = 0;
  auto slate = encode_slate(default_slate_image(), spec);
  ASSERT_TRUE(slate);
  auto config = std::make_shared<MediaPacket>(slate->video_config);
  config->epoch = 1;
  channel.publish(config);
  auto audio_config = std::make_shared<MediaPacket>();
  audio_config->kind = PacketKind::kAudioConfig;
  audio_config->codec = Codec::kAac;
  audio_config->payload = {0x11, 0x90};  // AAC LC, 48 kHz, stereo
  audio_config->epoch = 1;
  channel.publish(audio_config);
  std::vector<MediaPacketPtr> audio;
  for (int second = 0; second < 3; ++second) {
    for (const auto& frame : slate->gop) {
      auto unit = std::make_shared<MediaPacket>();
      unit->kind = PacketKind::kVideo;
      unit->codec = Codec::kH264;
      unit->keyframe = frame.keyframe;
      unit->pts = second * kTicksPerSecond + frame.pts_offset;
      unit->dts = second * kTicksPerSecond + frame.dts_offset;
      unit->epoch = 1;
      unit->payload = frame.payload;
      channel.publish(unit);
      auto sound = std::make_shared<MediaPacket>();
      sound->kind = PacketKind::kAudio;
      sound->codec = Codec::kAac;
      sound->keyframe = true;
      sound->pts = sound->dts = unit->pts;
      sound->epoch = 1;
      sound->payload = {0x21, 0x10, 0x05};
      channel.publish(sound);
      audio.push_back(sound);
    }
  }
  // Everything taken in (the thread is asynchronous), then 3 s at 15 fps out, less what the encoder's
  // lookahead still holds (no flush: the stream goes on).
  for (int i = 0; i < 200 && (*rendition)->stats().video.frames_decoded < 90; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const auto got = destination->wait_for_frames(20);
  size_t frames = 0;
  size_t audio_seen = 0;
  bool config_first = false;
  for (const auto& p : got) {
    if (p->kind == PacketKind::kVideoConfig && frames == 0) config_first = true;
    if (p->kind == PacketKind::kVideo) ++frames;
    if (p->kind == PacketKind::kAudio) {
      // The very same packets: audio is not copied, let alone re-encoded.
      EXPECT_NE(std::find(audio.begin(), audio.end(), p), audio.end());
      ++audio_seen;
    }
  }
  EXPECT_TRUE(config_first);
  EXPECT_GE(frames, 20U);
  EXPECT_EQ(audio_seen, audio.size());
  EXPECT_EQ(destination->codecs(), (InputCodecs{Codec::kH264, Codec::kAac}));
  const auto stats = (*rendition)->stats();
  EXPECT_EQ(stats.video.frames_decoded, 90U);
  EXPECT_EQ(stats.dropped_packets, 0U);
  EXPECT_TRUE(stats.error.empty());
  EXPECT_FALSE(stats.overloaded);
  EXPECT_GT(stats.speed, 1.0);  // 320x180 is far faster than real time
  channel.remove_output(rendition->get());
  (*rendition)->stop();
}

}  // namespace
}  // namespace lunora::media
