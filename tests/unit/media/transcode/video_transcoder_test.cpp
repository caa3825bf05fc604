// A rendition's video (media/transcode/video_transcoder.hpp) on real H.264: the slate encoder makes the
// input (a still picture, libx264), the transcoder decodes, scales and encodes it again. What comes out is
// checked from its own bytes: the SPS's size, an IDR exactly every keyframe interval, the frame count of the
// target rate, and a decoder that takes every access unit.
#include "media/transcode/video_transcoder.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "media/codec/av_handles.hpp"
#include "media/codec/h264.hpp"
#include "media/slate/slate_encoder.hpp"

namespace lunora::media {
namespace {

// `seconds` of the slate's GOP played in a row from `start`, as an input would deliver it.
std::vector<MediaPacket> input(int width, int height, double fps, double seconds, int64_t start = 0,
                               uint32_t epoch = 1) {
  SlateSpec spec;
  spec.width = width;
  spec.height = height;
  spec.fps = fps;
  spec.gop_seconds = 1;
  spec.sample_rate = 0;
  auto slate = encode_slate(default_slate_image(), spec);
  EXPECT_TRUE(slate) << slate.error().message();
  std::vector<MediaPacket> packets;
  MediaPacket config = slate->video_config;
  config.dts = config.pts = start;
  config.epoch = epoch;
  packets.push_back(config);
  for (int64_t base = start; base < start + static_cast<int64_t>(seconds * kTicksPerSecond);
       base += slate->gop_ticks) {
    for (const auto& frame : slate->gop) {
      MediaPacket unit;
      unit.kind = PacketKind::kVideo;
      unit.codec = Codec::kH264;
      unit.keyframe = frame.keyframe;
      unit.pts = base + frame.pts_offset;
      unit.dts = base + frame.dts_offset;
      unit.epoch = epoch;
      unit.payload = frame.payload;
      packets.push_back(unit);
    }
  }
  return packets;
}

struct Output {
  std::vector<MediaPacket> configs;
  std::vector<MediaPacket> frames;
  std::vector<int64_t> keyframe_pts() const {
    std::vector<int64_t> pts;
    for (const auto& frame : frames) {
      if (frame.keyframe) pts.push_back(frame.pts);
    }
    return pts;
  }
};

Output run(VideoTranscoder& transcoder, const std::vector<MediaPacket>& packets, bool flush = true) {
  Output out;
  const auto emit = [&out](MediaPacket packet) {
    (packet.kind == PacketKind::kVideoConfig ? out.configs : out.frames).push_back(std::move(packet));
  };
  for (const auto& packet : packets) EXPECT_TRUE(transcoder.push(packet, emit));
  if (flush) {
    EXPECT_TRUE(transcoder.flush(emit));
  }
  return out;
}

VideoProfile profile(int width, int height, double fps, double keyframe_s = 1) {
  VideoProfile p;
  p.width = width;
  p.height = height;
  p.fps = fps;
  p.bitrate_kbps = 300;
  p.keyframe_interval_s = keyframe_s;
  return p;
}

TEST(VideoTranscoder, ScalesToTheProfileAndLowersTheFrameRate) {
  auto transcoder = VideoTranscoder::create(profile(320, 180, 15));
  ASSERT_TRUE(transcoder) << transcoder.error().message();
  const Output out = run(**transcoder, input(640, 360, 30, 4));
  ASSERT_EQ(out.configs.size(), 1U);
  auto config = h264::parse_avc_decoder_config(out.configs[0].payload);
  ASSERT_TRUE(config);
  auto sps = h264::parse_sps(config->sps.front());
  ASSERT_TRUE(sps);
  EXPECT_EQ(sps->width, 320);
  EXPECT_EQ(sps->height, 180);
  // 4 s at 15 fps; every other input frame dropped.
  EXPECT_NEAR(static_cast<double>(out.frames.size()), 60, 2);
  const auto stats = (*transcoder)->stats();
  EXPECT_EQ(stats.frames_decoded, 120U);
  EXPECT_NEAR(static_cast<double>(stats.frames_dropped), 60, 2);
  EXPECT_EQ(stats.decode_errors, 0U);
  // An IDR every second exactly, the first frame one.
  const auto keys = out.keyframe_pts();
  ASSERT_GE(keys.size(), 4U);
  EXPECT_EQ(keys[0], out.frames[0].pts);
  for (size_t i = 1; i < keys.size(); ++i) EXPECT_EQ(keys[i] - keys[i - 1], kTicksPerSecond) << i;
  // Every access unit carries slices; keyframes start with their SPS and PPS.
  for (const auto& frame : out.frames) {
    auto nals = h264::split_avcc(frame.payload);
    ASSERT_TRUE(nals);
    ASSERT_FALSE(nals->empty());
    if (frame.keyframe) {
      EXPECT_EQ(h264::nal_type(nals->front()), 7);
    }
  }
}

TEST(VideoTranscoder, ChangesItsPresetAtTheNextGopKeepingTheKeyframeCadence) {
  auto transcoder = VideoTranscoder::create(profile(320, 180, 30));
  ASSERT_TRUE(transcoder);
  const auto packets = input(640, 360, 30, 4);
  Output out;
  const auto emit = [&out](MediaPacket packet) {
    (packet.kind == PacketKind::kVideoConfig ? out.configs : out.frames).push_back(std::move(packet));
  };
  for (size_t i = 0; i < packets.size(); ++i) {
    if (i == 45) (*transcoder)->change_preset("ultrafast");  // halfway through the second GOP
    ASSERT_TRUE((*transcoder)->push(packets[i], emit));
  }
  ASSERT_TRUE((*transcoder)->flush(emit));
  EXPECT_EQ((*transcoder)->preset(), "ultrafast");
  // The reopened encoder sent its config again, and its first frame is the GOP's IDR at the usual time.
  EXPECT_EQ(out.configs.size(), 2U);
  const auto keys = out.keyframe_pts();
  ASSERT_GE(keys.size(), 4U);
  for (size_t i = 1; i < keys.size(); ++i) EXPECT_EQ(keys[i] - keys[i - 1], kTicksPerSecond) << i;
  std::vector<int64_t> pts;
  for (const auto& frame : out.frames) pts.push_back(frame.pts);
  std::sort(pts.begin(), pts.end());
  EXPECT_EQ(std::adjacent_find(pts.begin(), pts.end()), pts.end()) << "a picture twice";
  EXPECT_NEAR(static_cast<double>(pts.size()), 120, 2);
}

TEST(VideoTranscoder, TakesMillisecondTimestampsWithoutDroppingOrRepeating) {
  // RTMP carries milliseconds: a 30 fps input arrives at 0, 33, 67, 100 ms (2970, 6030, 9000 ticks, ...).
  auto packets = input(320, 180, 30, 2);
  for (auto& packet : packets) {
    packet.pts = (packet.pts + 45) / 90 * 90;
    packet.dts = (packet.dts + 45) / 90 * 90;
  }
  auto transcoder = VideoTranscoder::create(profile(320, 180, 30));
  ASSERT_TRUE(transcoder);
  const Output out = run(**transcoder, packets);
  EXPECT_EQ((*transcoder)->stats().frames_dropped, 0U);
  EXPECT_EQ((*transcoder)->stats().frames_repeated, 0U);
  EXPECT_EQ(out.frames.size(), 60U);
}

TEST(VideoTranscoder, RaisesTheFrameRateByRepeatingFrames) {
  auto transcoder = VideoTranscoder::create(profile(320, 180, 60));
  ASSERT_TRUE(transcoder);
  const Output out = run(**transcoder, input(320, 180, 30, 2));
  EXPECT_NEAR(static_cast<double>(out.frames.size()), 120, 3);
  EXPECT_NEAR(static_cast<double>((*transcoder)->stats().frames_repeated), 60, 3);
  // Output timestamps step by one 60 fps frame.
  std::vector<int64_t> pts;
  for (const auto& frame : out.frames) pts.push_back(frame.pts);
  std::sort(pts.begin(), pts.end());
  for (size_t i = 1; i < pts.size(); ++i) EXPECT_EQ(pts[i] - pts[i - 1], 1500) << i;
}

TEST(VideoTranscoder, KeepsItsFormatWhenTheInputChangesSizeAndOpensAGopForANewPublisher) {
  auto transcoder = VideoTranscoder::create(profile(320, 180, 30));
  ASSERT_TRUE(transcoder);
  auto packets = input(640, 360, 30, 2);
  const auto smaller = input(480, 360, 30, 2, 2 * kTicksPerSecond);  // 4:3 now, same publisher
  packets.insert(packets.end(), smaller.begin(), smaller.end());
  const auto next = input(640, 360, 30, 1, 50 * kTicksPerSecond + 1234, 2);  // a new publisher
  packets.insert(packets.end(), next.begin(), next.end());
  const Output out = run(**transcoder, packets);
  // The output's format never changed; the new publisher's destinations get the config again.
  ASSERT_EQ(out.configs.size(), 2U);
  EXPECT_EQ(out.configs[0].payload, out.configs[1].payload);
  EXPECT_EQ(out.configs[1].epoch, 2U);
  EXPECT_EQ((*transcoder)->stats().decode_errors, 0U);
  EXPECT_NEAR(static_cast<double>(out.frames.size()), 150, 4);
  // The new publisher's first output frame is an IDR, carried in its epoch.
  const auto first_of_epoch_2 =
      std::find_if(out.frames.begin(), out.frames.end(), [](const MediaPacket& p) { return p.epoch == 2; });
  ASSERT_NE(first_of_epoch_2, out.frames.end());
  EXPECT_TRUE(first_of_epoch_2->keyframe);
  EXPECT_EQ(first_of_epoch_2->pts, 50 * kTicksPerSecond + 1234);
}

// The luma of the output's first frame at (x, y), decoded with libavcodec.
int luma_at(const Output& out, int x, int y) {
  const AVCodec* codec = avcodec_find_decoder(AV_CODEC_ID_H264);
  av::CodecContext ctx(avcodec_alloc_context3(codec));
  const Bytes& record = out.configs.at(0).payload;
  ctx->extradata = static_cast<uint8_t*>(av_mallocz(record.size() + AV_INPUT_BUFFER_PADDING_SIZE));
  std::memcpy(ctx->extradata, record.data(), record.size());
  ctx->extradata_size = static_cast<int>(record.size());
  if (avcodec_open2(ctx.get(), codec, nullptr) < 0) return -1;
  av::Packet packet(av_packet_alloc());
  av::Frame frame(av_frame_alloc());
  for (const auto& unit : out.frames) {
    av_new_packet(packet.get(), static_cast<int>(unit.payload.size()));
    std::memcpy(packet->data, unit.payload.data(), unit.payload.size());
    avcodec_send_packet(ctx.get(), packet.get());
    av_packet_unref(packet.get());
    if (avcodec_receive_frame(ctx.get(), frame.get()) >= 0) return frame->data[0][y * frame->linesize[0] + x];
  }
  return -1;
}

TEST(VideoTranscoder, LetterboxesAnotherShapeInsteadOfStretchingIt) {
  auto wide = VideoTranscoder::create(profile(320, 180, 30));
  ASSERT_TRUE(wide);
  const Output boxed = run(**wide, input(480, 360, 30, 1));  // 4:3 into 16:9: black bars left and right
  // Video-range black (16) in the bar; the card's dark grey (about 35) in the picture.
  EXPECT_LE(luma_at(boxed, 4, 90), 20);
  EXPECT_GT(luma_at(boxed, 160, 90), 25);
  auto same = VideoTranscoder::create(profile(320, 180, 30));
  ASSERT_TRUE(same);
  const Output full = run(**same, input(640, 360, 30, 1));  // 16:9 into 16:9: no bars
  EXPECT_GT(luma_at(full, 4, 90), 25);
}

TEST(VideoTranscoder, RefusesProfilesItCannotEncode) {
  EXPECT_FALSE(VideoTranscoder::create(profile(321, 180, 30)));
  EXPECT_FALSE(VideoTranscoder::create(profile(320, 180, 0)));
  EXPECT_FALSE(VideoTranscoder::create(profile(8000, 180, 30)));
  EXPECT_FALSE(VideoTranscoder::create(profile(320, 180, 30, 20)));
  VideoProfile slow = profile(320, 180, 30);
  slow.bitrate_kbps = 10;
  EXPECT_FALSE(VideoTranscoder::create(slow));
}

}  // namespace
}  // namespace lunora::media
