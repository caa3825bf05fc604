// A rendition on real H.264 (media/transcode/rendition.hpp): joined to a channel's Hub like any output, it
// encodes on its own thread and publishes into its own Hub, where a destination joins as on the input's.
#include "media/transcode/rendition.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "media/codec/av_handles.hpp"
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
  // Waits until `count` audio frames arrived (or 20 s).
  std::vector<MediaPacketPtr> wait_for_audio(size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::seconds(20), [&] {
      size_t n = 0;
      for (const auto& p : packets_) n += p->kind == PacketKind::kAudio ? 1 : 0;
      return n >= count;
    });
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

// Loud AAC: 48 kHz stereo white noise through FFmpeg's encoder at `kbps` (noise uses every bit it is given).
struct EncodedAudio {
  Bytes config;
  std::vector<Bytes> frames;  // 1024 samples each
};
EncodedAudio encode_noise(int kbps, int frames) {
  EncodedAudio encoded;
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_AAC);
  av::CodecContext ctx(avcodec_alloc_context3(codec));
  ctx->sample_rate = 48000;
  ctx->sample_fmt = AV_SAMPLE_FMT_FLTP;
  av_channel_layout_default(&ctx->ch_layout, 2);
  ctx->bit_rate = int64_t{kbps} * 1000;
  ctx->time_base = AVRational{1, 48000};
  ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if (avcodec_open2(ctx.get(), codec, nullptr) < 0) return encoded;
  encoded.config.assign(ctx->extradata, ctx->extradata + ctx->extradata_size);
  av::Frame frame(av_frame_alloc());
  av::Packet packet(av_packet_alloc());
  uint32_t seed = 1;
  for (int i = 0; i < frames + 2; ++i) {
    frame->nb_samples = ctx->frame_size;
    frame->format = AV_SAMPLE_FMT_FLTP;
    av_channel_layout_copy(&frame->ch_layout, &ctx->ch_layout);
    av_frame_get_buffer(frame.get(), 0);
    for (int channel = 0; channel < 2; ++channel) {
      auto* samples = reinterpret_cast<float*>(frame->data[channel]);
      for (int n = 0; n < frame->nb_samples; ++n) {
        seed = seed * 1664525U + 1013904223U;
        samples[n] = static_cast<float>(seed >> 8) / static_cast<float>(1U << 24) - 0.5F;
      }
    }
    frame->pts = int64_t{i} * ctx->frame_size;
    avcodec_send_frame(ctx.get(), frame.get());
    av_frame_unref(frame.get());
    while (avcodec_receive_packet(ctx.get(), packet.get()) >= 0) {
      if (static_cast<int>(encoded.frames.size()) < frames) {
        encoded.frames.emplace_back(packet->data, packet->data + packet->size);
      }
      av_packet_unref(packet.get());
    }
  }
  return encoded;
}

// Feeds `audio` into a rendition (no video) and collects what its Hub gives a destination.
std::vector<MediaPacketPtr> run_audio(Rendition& rendition, const EncodedAudio& audio,
                                      std::vector<MediaPacketPtr>& sent, size_t expected) {
  auto destination = std::make_shared<Collector>();
  rendition.hub().add_output(destination);
  Hub channel;
  channel.add_output(rendition.shared_from_this());
  channel.set_input_codecs({Codec::kUnknown, Codec::kAac});
  auto config = std::make_shared<MediaPacket>();
  config->kind = PacketKind::kAudioConfig;
  config->codec = Codec::kAac;
  config->payload = audio.config;
  config->epoch = 7;
  channel.publish(config);
  for (size_t i = 0; i < audio.frames.size(); ++i) {
    auto frame = std::make_shared<MediaPacket>();
    frame->kind = PacketKind::kAudio;
    frame->codec = Codec::kAac;
    frame->keyframe = true;
    frame->pts = frame->dts = 90000 + static_cast<int64_t>(i) * 1920;  // 1024 samples at 48 kHz
    frame->epoch = 7;
    frame->payload = audio.frames[i];
    channel.publish(frame);
    sent.push_back(frame);
  }
  const auto got = destination->wait_for_audio(expected);
  channel.remove_output(&rendition);
  return got;
}

TEST(Rendition, ReencodesAudioWellAboveItsBitrate) {
  const auto loud = encode_noise(256, 120);  // 2.6 s: within the queue in front of the rendition
  ASSERT_EQ(loud.frames.size(), 120U);
  RenditionProfile profile;
  profile.video.width = 320;
  profile.video.height = 180;
  profile.audio_bitrate_kbps = 96;
  auto rendition = Rendition::start(profile);
  ASSERT_TRUE(rendition) << rendition.error().message();
  std::vector<MediaPacketPtr> sent;
  // The encoder keeps a few frames back.
  const auto got = run_audio(**rendition, loud, sent, loud.frames.size() - 4);
  const auto stats = (*rendition)->stats();
  EXPECT_EQ(stats.audio, "transcode");
  EXPECT_GT(stats.input_audio_kbps, 200.0);
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.front()->kind, PacketKind::kAudioConfig);
  uint64_t bytes = 0;
  size_t frames = 0;
  for (const auto& p : got) {
    if (p->kind != PacketKind::kAudio) continue;
    EXPECT_EQ(std::find(sent.begin(), sent.end(), p), sent.end());  // new packets, not the input's
    bytes += p->payload.size();
    ++frames;
  }
  // Re-encoded at about 96 kbps: well under the input's 256.
  const double kbps =
      static_cast<double>(bytes) * 8.0 / 1000.0 / (static_cast<double>(frames) * 1024 / 48000);
  EXPECT_LT(kbps, 130.0);
  EXPECT_GT(kbps, 60.0);
  (*rendition)->stop();
}

TEST(Rendition, PassesAudioAtOrBelowItsBitrateThrough) {
  const auto modest = encode_noise(128, 100);
  RenditionProfile profile;
  profile.video.width = 320;
  profile.video.height = 180;
  profile.audio_bitrate_kbps = 160;
  auto rendition = Rendition::start(profile);
  ASSERT_TRUE(rendition) << rendition.error().message();
  std::vector<MediaPacketPtr> sent;
  const auto got = run_audio(**rendition, modest, sent, modest.frames.size());
  EXPECT_EQ((*rendition)->stats().audio, "passthrough");
  size_t frames = 0;
  for (const auto& p : got) {
    if (p->kind != PacketKind::kAudio) continue;
    EXPECT_NE(std::find(sent.begin(), sent.end(), p), sent.end());  // the very packets
    ++frames;
  }
  EXPECT_EQ(frames, modest.frames.size());
  (*rendition)->stop();
}

TEST(Rendition, EncodesOnItsOwnThreadIntoItsOwnHubAndPassesAudioThrough) {
  VideoProfile profile;
  profile.width = 320;
  profile.height = 180;
  profile.fps = 15;
  profile.bitrate_kbps = 300;
  profile.keyframe_interval_s = 1;
  auto rendition = Rendition::start({profile});
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
  int64_t video_dts = -1;
  for (const auto& p : got) {
    if (p->kind == PacketKind::kVideoConfig && frames == 0) config_first = true;
    if (p->kind == PacketKind::kVideo) {
      ++frames;
      video_dts = p->dts;
    }
    if (p->kind == PacketKind::kAudio) {
      // The very same packets: audio is not copied, let alone re-encoded ...
      EXPECT_NE(std::find(audio.begin(), audio.end(), p), audio.end());
      // ... and it waits for the video of its time to leave the encoder: the tracks go out interleaved.
      EXPECT_LE(p->pts, video_dts);
      EXPECT_EQ(p, audio[audio_seen]) << "in order";
      ++audio_seen;
    }
  }
  EXPECT_TRUE(config_first);
  EXPECT_GE(frames, 20U);
  // All but what is newer than the last picture out (the encoder's lookahead holds the rest).
  EXPECT_GE(audio_seen, frames);
  EXPECT_LT(audio_seen, audio.size());
  EXPECT_EQ(destination->codecs(), (InputCodecs{Codec::kH264, Codec::kAac}));
  const auto stats = (*rendition)->stats();
  EXPECT_EQ(stats.video.frames_decoded, 90U);
  EXPECT_EQ(stats.dropped_packets, 0U);
  EXPECT_TRUE(stats.error.empty());
  EXPECT_FALSE(stats.overloaded);
  EXPECT_GT(stats.speed, 0.0);  // measured (how fast is for bench/, not for a test)
  EXPECT_EQ(stats.preset, "veryfast");
  EXPECT_EQ(stats.audio, "passthrough");  // no audio bitrate asked: the input's as it is
  channel.remove_output(rendition->get());
  (*rendition)->stop();
}

}  // namespace
}  // namespace lunora::media
