// A rendition's audio re-encoded (media/transcode/audio_transcoder.hpp) on real AAC: the slate's silent frame
// as the input, FFmpeg's AAC decoder and encoder in between.
#include "media/transcode/audio_transcoder.hpp"

#include <gtest/gtest.h>

#include "media/codec/aac.hpp"
#include "media/slate/slate_encoder.hpp"

namespace lunora::media {
namespace {

TEST(AudioTranscoder, ReencodesOnTheInputsTimelineWithItsOwnConfig) {
  SlateSpec spec;
  spec.width = 320;
  spec.height = 180;
  spec.sample_rate = 44100;
  spec.channels = 2;
  auto slate = encode_slate(default_slate_image(), spec);
  ASSERT_TRUE(slate) << slate.error().message();
  auto transcoder = AudioTranscoder::create(96);
  ASSERT_TRUE(transcoder) << transcoder.error().message();

  std::vector<MediaPacket> out;
  const auto emit = [&out](MediaPacket packet) { out.push_back(std::move(packet)); };
  MediaPacket config = slate->audio_config;
  config.epoch = 3;
  ASSERT_TRUE((*transcoder)->push(config, emit));
  for (int i = 0; i < 100; ++i) {
    MediaPacket frame;
    frame.kind = PacketKind::kAudio;
    frame.codec = Codec::kAac;
    frame.keyframe = true;
    frame.pts = frame.dts = 900000 + i * slate->audio_frame_ticks;
    frame.epoch = 3;
    frame.payload = slate->silent_audio_frame;
    ASSERT_TRUE((*transcoder)->push(frame, emit));
  }
  EXPECT_EQ((*transcoder)->decode_errors(), 0U);
  ASSERT_FALSE(out.empty());
  ASSERT_EQ(out.front().kind, PacketKind::kAudioConfig);
  auto asc = aac::parse_audio_specific_config(out.front().payload);
  ASSERT_TRUE(asc);
  EXPECT_EQ(asc->sample_rate, 44100);
  EXPECT_EQ(asc->channels, 2);
  // The encoder keeps a frame or two back; the rest arrive in order near the input's times.
  EXPECT_GE(out.size() - 1, 97U);
  EXPECT_EQ(out.size() - 1, (*transcoder)->frames_encoded());
  for (size_t i = 2; i < out.size(); ++i) {
    EXPECT_EQ(out[i].epoch, 3U);
    EXPECT_GT(out[i].pts, out[i - 1].pts);
  }
  EXPECT_NEAR(static_cast<double>(out[1].pts), 900000.0, 2.0 * slate->audio_frame_ticks);
}

TEST(AudioTranscoder, RefusesWhatItCannotDo) {
  EXPECT_FALSE(AudioTranscoder::create(8));
  EXPECT_FALSE(AudioTranscoder::create(1000));
  auto transcoder = AudioTranscoder::create(128);
  ASSERT_TRUE(transcoder);
  MediaPacket bad;
  bad.kind = PacketKind::kAudioConfig;
  bad.codec = Codec::kAac;
  bad.payload = {0xff};
  EXPECT_FALSE((*transcoder)->push(bad, [](MediaPacket) {}));
}

}  // namespace
}  // namespace lunora::media
