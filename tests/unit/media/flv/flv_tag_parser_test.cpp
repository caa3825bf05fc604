#include "media/flv/flv_tag_parser.hpp"

#include <gtest/gtest.h>

namespace lunora::media {
namespace {

// The x264 High 320x240 25 fps SPS/PPS of tests/unit/media/testdata/small.ts as an AVC sequence header tag.
const Bytes kAvcSequenceHeader = {
    0x17, 0x00, 0x00, 0x00, 0x00,                    // key, AVC, seq header, CTS 0
    0x01, 0x64, 0x00, 0x0d, 0xff, 0xe1, 0x00, 0x19,  // record, 1 SPS of 25 bytes
    0x67, 0x64, 0x00, 0x0d, 0xac, 0xd9, 0x41, 0x41, 0xfb, 0x01, 0x10, 0x00, 0x00,  // SPS
    0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0x20, 0xf1, 0x42, 0x99, 0x60,        //
    0x01, 0x00, 0x04, 0x68, 0xef, 0xbc, 0xb0,                                      // 1 PPS of 4 bytes
    0xfd, 0xf8, 0xf8, 0x00};                                                       // High extension
// Inter frame, CTS -40 ms (SI24), one 3-byte NAL.
const Bytes kAvcInterFrame = {0x27, 0x01, 0xff, 0xff, 0xd8, 0x00, 0x00, 0x00, 0x03, 0x41, 0x9a, 0x02};
const Bytes kAacSequenceHeader = {0xaf, 0x00, 0x12, 0x10};  // AAC LC 44.1 kHz stereo
const Bytes kAacRaw = {0xaf, 0x01, 0x21, 0x10, 0x05};

MediaPacketPtr parse_ok(FlvTagParser& parser, uint8_t type, uint32_t ms, const Bytes& body) {
  auto result = parser.parse(type, ms, body);
  EXPECT_TRUE(result.ok()) << result.error().message();
  if (!result.ok() || !result->has_value()) return nullptr;
  return **result;
}

TEST(FlvTagParser, AvcSequenceHeaderBecomesVideoConfig) {
  FlvTagParser parser(3);
  auto p = parse_ok(parser, 9, 1000, kAvcSequenceHeader);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->kind, PacketKind::kVideoConfig);
  EXPECT_EQ(p->codec, Codec::kH264);
  EXPECT_EQ(p->epoch, 3u);
  EXPECT_EQ(p->dts, 90000);
  EXPECT_EQ(p->video.width, 320);
  EXPECT_EQ(p->video.height, 240);
  EXPECT_DOUBLE_EQ(p->video.fps, 25.0);
  EXPECT_EQ(p->video.profile, 100);
  EXPECT_EQ(p->video.level, 13);
  EXPECT_EQ(p->payload, Bytes(kAvcSequenceHeader.begin() + 5, kAvcSequenceHeader.end()));
  // The prefix MediaPacket writes back for RTMP outputs is the one this tag came with.
  const auto prefix = p->flv_prefix();
  EXPECT_EQ(Bytes(prefix.bytes.begin(), prefix.bytes.begin() + prefix.size),
            Bytes(kAvcSequenceHeader.begin(), kAvcSequenceHeader.begin() + 5));
}

TEST(FlvTagParser, AvcFrameWithNegativeCompositionTime) {
  FlvTagParser parser(0);
  auto p = parse_ok(parser, 9, 2000, kAvcInterFrame);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->kind, PacketKind::kVideo);
  EXPECT_FALSE(p->keyframe);
  EXPECT_EQ(p->dts, 180000);
  EXPECT_EQ(p->pts, 180000 - 40 * 90);
  EXPECT_EQ(p->payload, Bytes(kAvcInterFrame.begin() + 5, kAvcInterFrame.end()));
}

TEST(FlvTagParser, KeyframeFlagFollowsFrameType) {
  FlvTagParser parser(0);
  Bytes key = kAvcInterFrame;
  key[0] = 0x17;
  auto p = parse_ok(parser, 9, 0, key);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->keyframe);
}

TEST(FlvTagParser, EndOfSequenceAndEmptyBodiesGiveNoPacket) {
  FlvTagParser parser(0);
  for (const Bytes& body : {Bytes{0x17, 0x02, 0x00, 0x00, 0x00}, Bytes{}, Bytes{0x27, 0x01, 0x00, 0x00, 0x00},
                            Bytes{0xaf, 0x01}, Bytes{0x57, 0x00}}) {
    const uint8_t type = (!body.empty() && body[0] == 0xaf) ? 8 : 9;
    auto result = parser.parse(type, 0, body);
    ASSERT_TRUE(result.ok()) << result.error().message();
    EXPECT_FALSE(result->has_value());
  }
}

TEST(FlvTagParser, AacConfigAndFrames) {
  FlvTagParser parser(0);
  auto config = parse_ok(parser, 8, 0, kAacSequenceHeader);
  ASSERT_TRUE(config);
  EXPECT_EQ(config->kind, PacketKind::kAudioConfig);
  EXPECT_EQ(config->codec, Codec::kAac);
  EXPECT_EQ(config->audio.sample_rate, 44100);
  EXPECT_EQ(config->audio.channels, 2);
  EXPECT_EQ(config->audio.object_type, 2);
  EXPECT_EQ(config->payload, (Bytes{0x12, 0x10}));
  auto frame = parse_ok(parser, 8, 23, kAacRaw);
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->kind, PacketKind::kAudio);
  EXPECT_TRUE(frame->keyframe);
  EXPECT_EQ(frame->dts, 23 * 90);
  EXPECT_EQ(frame->pts, frame->dts);
  EXPECT_EQ(frame->payload, (Bytes{0x21, 0x10, 0x05}));
}

void expect_unsupported(uint8_t type, const Bytes& body, const std::string& name) {
  FlvTagParser parser(0);
  auto result = parser.parse(type, 0, body);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kUnsupportedCodec);
  EXPECT_NE(result.error().message().find(name), std::string::npos) << result.error().message();
}

TEST(FlvTagParser, NamesUnsupportedCodecs) {
  expect_unsupported(8, {0x2f, 0xff, 0xfb}, "mp3");
  expect_unsupported(8, {0xbe, 0x00}, "speex");
  expect_unsupported(8, {0x9f, 'O', 'p', 'u', 's'}, "opus");
  expect_unsupported(9, {0x92, 'h', 'v', 'c', '1', 0x00}, "hevc");  // Enhanced RTMP ex-header
  expect_unsupported(9, {0x90, 'a', 'v', '0', '1'}, "av1");
  expect_unsupported(9, {0x1c, 0x00, 0x00, 0x00, 0x00}, "hevc");  // legacy codec id 12
  expect_unsupported(9, {0x14, 0x00}, "vp6");
}

TEST(FlvTagParser, EnhancedAvcMapsOntoTheSamePackets) {
  FlvTagParser parser(0);
  Bytes start = {0x90, 'a', 'v', 'c', '1'};  // key frame, SequenceStart
  start.insert(start.end(), kAvcSequenceHeader.begin() + 5, kAvcSequenceHeader.end());
  auto config = parse_ok(parser, 9, 0, start);
  ASSERT_TRUE(config);
  EXPECT_EQ(config->kind, PacketKind::kVideoConfig);
  EXPECT_EQ(config->video.width, 320);
  const Bytes frames = {0x93, 'a', 'v', 'c', '1', 0x00, 0x00, 0x00, 0x01, 0x65};  // CodedFramesX
  auto frame = parse_ok(parser, 9, 40, frames);
  ASSERT_TRUE(frame);
  EXPECT_TRUE(frame->keyframe);
  EXPECT_EQ(frame->pts, frame->dts);
}

TEST(FlvTagParser, EveryTruncationIsCleanError) {
  for (const Bytes* body : {&kAvcSequenceHeader, &kAvcInterFrame, &kAacSequenceHeader}) {
    const uint8_t type = (*body)[0] == 0xaf ? 8 : 9;
    for (size_t len = 1; len < body->size(); ++len) {
      FlvTagParser parser(0);
      auto result = parser.parse(type, 0, ByteSpan(*body).first(len));
      // A cut inside the record extension still leaves a complete SPS/PPS; any other cut is an error.
      const bool only_extension_cut = body == &kAvcSequenceHeader && len >= body->size() - 4;
      const bool empty_frame = body == &kAvcInterFrame && len == 5;
      const bool empty_audio = body == &kAacSequenceHeader && len < 2;
      if (only_extension_cut || empty_frame) {
        EXPECT_TRUE(result.ok()) << len;
      } else if (!empty_audio) {
        EXPECT_FALSE(result.ok()) << len;
        EXPECT_EQ(result.error().code(), ErrorCode::kParse) << len;
      }
    }
  }
}

TEST(FlvTagParser, RejectsNonMediaTagsAndBadPacketTypes) {
  FlvTagParser parser(0);
  EXPECT_FALSE(parser.parse(18, 0, Bytes{0x02}).ok());
  EXPECT_FALSE(parser.parse(9, 0, Bytes{0x17, 0x07, 0x00, 0x00, 0x00}).ok());
  EXPECT_FALSE(parser.parse(8, 0, Bytes{0xaf, 0x05}).ok());
  EXPECT_FALSE(parser.parse(9, 0, Bytes{0x27, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0x41}).ok());
}

TEST(FlvTagParser, UnwrapsThe32BitMillisecondClock) {
  FlvTagParser parser(0);
  const int64_t wrap = int64_t{1} << 32;
  auto at = [&](uint32_t ms) { return parse_ok(parser, 8, ms, kAacRaw)->dts; };
  EXPECT_EQ(at(0xFFFFFF00u), ms_to_ticks(0xFFFFFF00LL));
  EXPECT_EQ(at(0x10), ms_to_ticks(wrap + 0x10));
  EXPECT_EQ(at(0xFFFFFFF0u), ms_to_ticks(0xFFFFFFF0LL));  // a late packet from before the wrap
  EXPECT_EQ(at(0x20), ms_to_ticks(wrap + 0x20));
  EXPECT_EQ(at(0x80000000u), ms_to_ticks(wrap + 0x80000000LL));
  EXPECT_EQ(at(0xC0000000u), ms_to_ticks(wrap + 0xC0000000LL));
  EXPECT_EQ(at(0x10), ms_to_ticks(2 * wrap + 0x10));
}

}  // namespace
}  // namespace lunora::media
