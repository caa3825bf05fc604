// The slate is real H.264 and AAC: decoded back with libavcodec here, the GOP played twice in a row as the
// slate sends it, the picture letterboxed, and bad images and specs refused with a clear error.
#include "media/slate/slate_encoder.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "media/codec/aac.hpp"
#include "media/codec/av_handles.hpp"
#include "media/codec/h264.hpp"

namespace lunora::media {
namespace {

// Decodes access units (AVCC, as the slate holds them) with the config record as extradata.
class H264Decoder {
 public:
  explicit H264Decoder(const Bytes& record) {
    const AVCodec* codec = avcodec_find_decoder(AV_CODEC_ID_H264);
    ctx_.reset(avcodec_alloc_context3(codec));
    ctx_->extradata = static_cast<uint8_t*>(av_mallocz(record.size() + AV_INPUT_BUFFER_PADDING_SIZE));
    std::memcpy(ctx_->extradata, record.data(), record.size());
    ctx_->extradata_size = static_cast<int>(record.size());
    opened_ = avcodec_open2(ctx_.get(), codec, nullptr) >= 0;
  }
  bool opened() const { return opened_; }

  // Frames decoded from this unit (and everything before it), or -1 on a decode error.
  int decode(const Bytes& unit, int64_t pts) {
    av::Packet packet(av_packet_alloc());
    av_new_packet(packet.get(), static_cast<int>(unit.size()));
    std::memcpy(packet->data, unit.data(), unit.size());
    packet->pts = pts;
    if (avcodec_send_packet(ctx_.get(), packet.get()) < 0) return -1;
    return receive();
  }
  int flush() {
    avcodec_send_packet(ctx_.get(), nullptr);
    return receive();
  }
  const av::Frame& last() const { return last_; }

 private:
  int receive() {
    int frames = 0;
    av::Frame frame(av_frame_alloc());
    while (true) {
      const int got = avcodec_receive_frame(ctx_.get(), frame.get());
      if (got == AVERROR(EAGAIN) || got == AVERROR_EOF) return frames;
      if (got < 0 || frame->decode_error_flags != 0) return -1;
      ++frames;
      last_.reset(av_frame_clone(frame.get()));
    }
  }
  av::CodecContext ctx_;
  av::Frame last_;
  bool opened_ = false;
};

TEST(SlateEncoder, TheBuiltInCardIsOneRepeatableGop) {
  SlateSpec spec;  // 1280x720, 30 fps, high profile, 48 kHz stereo
  auto slate = encode_slate(default_slate_image(), spec);
  ASSERT_TRUE(slate) << slate.error().message();
  ASSERT_EQ(slate->gop.size(), 60u);  // 2 s at 30 fps
  EXPECT_TRUE(slate->gop.front().keyframe);
  for (size_t i = 1; i < slate->gop.size(); ++i) EXPECT_FALSE(slate->gop[i].keyframe) << i;
  EXPECT_EQ(slate->frame_ticks, 3000);
  EXPECT_EQ(slate->gop_ticks, 180000);
  EXPECT_EQ(slate->gop[1].dts_offset - slate->gop[0].dts_offset, 3000);

  auto record = h264::parse_avc_decoder_config(slate->video_config.payload);
  ASSERT_TRUE(record);
  auto sps = h264::parse_sps(record->sps.front());
  ASSERT_TRUE(sps);
  EXPECT_EQ(sps->width, 1280);
  EXPECT_EQ(sps->height, 720);
  EXPECT_EQ(slate->video_config.kind, PacketKind::kVideoConfig);
  EXPECT_EQ(slate->video_config.video.width, 1280);

  // What the wire carries: the GOP, then the same GOP again. Every frame decodes, none with an error.
  H264Decoder decoder(slate->video_config.payload);
  ASSERT_TRUE(decoder.opened());
  int frames = 0;
  for (int copy = 0; copy < 2; ++copy) {
    for (const auto& frame : slate->gop) {
      const int got = decoder.decode(frame.payload, copy * slate->gop_ticks + frame.pts_offset);
      ASSERT_GE(got, 0) << "copy " << copy;
      frames += got;
    }
  }
  const int rest = decoder.flush();
  ASSERT_GE(rest, 0);
  EXPECT_EQ(frames + rest, 120);
  EXPECT_EQ(decoder.last()->width, 1280);
  EXPECT_EQ(decoder.last()->height, 720);

  // The whole slate is small: a still picture.
  size_t bytes = 0;
  for (const auto& frame : slate->gop) bytes += frame.payload.size();
  EXPECT_LT(bytes, 500u * 1000 / 8 * 2 * 2) << "about the 500 kbit/s asked for, over 2 s (with slack)";
}

TEST(SlateEncoder, SilentAudioDecodesToSilence) {
  SlateSpec spec;
  spec.width = 320;
  spec.height = 180;
  spec.sample_rate = 44100;
  spec.channels = 1;
  auto slate = encode_slate(default_slate_image(), spec);
  ASSERT_TRUE(slate) << slate.error().message();
  ASSERT_TRUE(slate->has_audio);
  auto asc = aac::parse_audio_specific_config(slate->audio_config.payload);
  ASSERT_TRUE(asc);
  EXPECT_EQ(asc->sample_rate, 44100);
  EXPECT_EQ(asc->channels, 1);
  EXPECT_EQ(slate->audio_config.audio.sample_rate, 44100);
  EXPECT_EQ(slate->audio_frame_ticks, 1024 * 90000 / 44100);

  const AVCodec* codec = avcodec_find_decoder(AV_CODEC_ID_AAC);
  av::CodecContext ctx(avcodec_alloc_context3(codec));
  ctx->extradata =
      static_cast<uint8_t*>(av_mallocz(slate->audio_config.payload.size() + AV_INPUT_BUFFER_PADDING_SIZE));
  std::memcpy(ctx->extradata, slate->audio_config.payload.data(), slate->audio_config.payload.size());
  ctx->extradata_size = static_cast<int>(slate->audio_config.payload.size());
  ASSERT_GE(avcodec_open2(ctx.get(), codec, nullptr), 0);
  av::Packet packet(av_packet_alloc());
  av::Frame frame(av_frame_alloc());
  float loudest = 0;
  int samples = 0;
  for (int i = 0; i < 5; ++i) {
    av_new_packet(packet.get(), static_cast<int>(slate->silent_audio_frame.size()));
    std::memcpy(packet->data, slate->silent_audio_frame.data(), slate->silent_audio_frame.size());
    ASSERT_GE(avcodec_send_packet(ctx.get(), packet.get()), 0);
    av_packet_unref(packet.get());
    while (avcodec_receive_frame(ctx.get(), frame.get()) >= 0) {
      ASSERT_EQ(frame->format, AV_SAMPLE_FMT_FLTP);
      const auto* data = reinterpret_cast<const float*>(frame->data[0]);
      for (int s = 0; s < frame->nb_samples; ++s) loudest = std::max(loudest, std::fabs(data[s]));
      samples += frame->nb_samples;
    }
  }
  EXPECT_EQ(samples, 5 * 1024);
  EXPECT_LT(loudest, 1e-4f);
}

TEST(SlateEncoder, APictureOfAnotherShapeIsLetterboxed) {
  SlateSpec spec;
  spec.width = 640;  // 4:3 around the 16:9 card: black bars above and below
  spec.height = 480;
  spec.profile_idc = 66;
  spec.sample_rate = 0;
  auto slate = encode_slate(default_slate_image(), spec);
  ASSERT_TRUE(slate) << slate.error().message();
  EXPECT_FALSE(slate->has_audio);
  auto record = h264::parse_avc_decoder_config(slate->video_config.payload);
  ASSERT_TRUE(record);
  EXPECT_EQ(h264::parse_sps(record->sps.front())->profile_idc, 66);

  H264Decoder decoder(slate->video_config.payload);
  ASSERT_TRUE(decoder.opened());
  const int decoded = decoder.decode(slate->gop.front().payload, 0);
  ASSERT_GE(decoded, 0);
  const int flushed = decoder.flush();
  ASSERT_GE(flushed, 0);
  ASSERT_EQ(decoded + flushed, 1);
  const AVFrame& picture = *decoder.last();
  auto luma = [&](int x, int y) { return picture.data[0][y * picture.linesize[0] + x]; };
  EXPECT_NEAR(luma(20, 10), 16, 3) << "the bar above the card is black";
  EXPECT_NEAR(luma(20, 470), 16, 3) << "the bar below the card is black";
  EXPECT_GT(luma(20, 240), 25) << "the card's own dark blue background is lighter than black";
}

TEST(SlateEncoder, BadImagesAndSpecsAreClearErrors) {
  const Bytes garbage = {'h', 'e', 'l', 'l', 'o', 0, 1, 2, 3};
  auto not_image = encode_slate(garbage, SlateSpec{});
  ASSERT_FALSE(not_image);
  EXPECT_EQ(not_image.error().message(), "the slate is not a PNG or JPEG image");

  const ByteSpan card = default_slate_image();
  const Bytes truncated(card.begin(), card.begin() + 100);
  auto broken = encode_slate(truncated, SlateSpec{});
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().message().find("cannot be decoded"), std::string::npos)
      << broken.error().message();

  SlateSpec odd;
  odd.width = 641;
  EXPECT_FALSE(encode_slate(card, odd));
  SlateSpec rate;
  rate.sample_rate = 12345;
  EXPECT_FALSE(encode_slate(card, rate));
  SlateSpec fps;
  fps.fps = 0;
  EXPECT_FALSE(encode_slate(card, fps));
}

}  // namespace
}  // namespace lunora::media
