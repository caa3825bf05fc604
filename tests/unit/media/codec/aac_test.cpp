#include "media/codec/aac.hpp"

#include <gtest/gtest.h>

namespace lunora::media::aac {
namespace {

// From tests/unit/media/testdata/small.ts: AAC LC, 48 kHz, mono, frame_length 199, no CRC.
const Bytes kAdts = {0xff, 0xf1, 0x4c, 0x40, 0x18, 0xff, 0xfc};
// AAC LC, 44.1 kHz, stereo (the most common RTMP config).
const Bytes kAsc44Stereo = {0x12, 0x10};

TEST(AacTables, SampleRateIndex) {
  EXPECT_EQ(sample_rate_from_index(3), 48000);
  EXPECT_EQ(sample_rate_from_index(12), 7350);
  EXPECT_EQ(sample_rate_from_index(13), 0);
  EXPECT_EQ(sample_rate_from_index(-1), 0);
  EXPECT_EQ(index_from_sample_rate(44100), 4);
  EXPECT_EQ(index_from_sample_rate(44000), -1);
}

TEST(AacAdts, ParsesHeaderFromFfmpeg) {
  auto h = parse_adts_header(kAdts);
  ASSERT_TRUE(h.ok()) << h.error().message();
  EXPECT_EQ(h->config.object_type, 2);
  EXPECT_EQ(h->config.sample_rate, 48000);
  EXPECT_EQ(h->config.sampling_index, 3);
  EXPECT_EQ(h->config.channels, 1);
  EXPECT_EQ(h->header_size, 7u);
  EXPECT_EQ(h->frame_length, 199u);
  EXPECT_EQ(h->raw_blocks, 1);
}

TEST(AacAdts, BuildsTheSameHeader) {
  AudioSpecificConfig config;
  config.object_type = 2;
  config.sample_rate = 48000;
  config.sampling_index = 3;
  config.channels = 1;
  EXPECT_EQ(build_adts_header(config, 199 - 7), kAdts);
}

TEST(AacAdts, CrcHeaderIsNineBytes) {
  Bytes with_crc = kAdts;
  with_crc[1] = 0xf0;  // protection_absent 0
  auto h = parse_adts_header(with_crc);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->header_size, 9u);
}

TEST(AacAdts, EveryTruncationFails) {
  for (size_t len = 0; len < kAdts.size(); ++len)
    EXPECT_FALSE(parse_adts_header(ByteSpan(kAdts).first(len)).ok());
}

TEST(AacAdts, RejectsMalformedHeaders) {
  Bytes no_sync = kAdts;
  no_sync[1] = 0xe1;
  EXPECT_FALSE(parse_adts_header(no_sync).ok());
  Bytes layer = kAdts;
  layer[1] = 0xf3;
  EXPECT_FALSE(parse_adts_header(layer).ok());
  Bytes reserved_rate = kAdts;
  reserved_rate[2] = 0x74;  // sampling index 13
  EXPECT_FALSE(parse_adts_header(reserved_rate).ok());
  Bytes short_frame = kAdts;
  short_frame[3] = 0x40;
  short_frame[4] = 0x00;
  short_frame[5] = 0xdf;  // frame_length 6 < header
  EXPECT_FALSE(parse_adts_header(short_frame).ok());
}

TEST(AacAsc, GoldenBothDirections) {
  auto asc = parse_audio_specific_config(kAsc44Stereo);
  ASSERT_TRUE(asc.ok()) << asc.error().message();
  EXPECT_EQ(asc->object_type, 2);
  EXPECT_EQ(asc->sample_rate, 44100);
  EXPECT_EQ(asc->channels, 2);
  EXPECT_EQ(build_audio_specific_config(*asc), kAsc44Stereo);
}

TEST(AacAsc, IgnoresTrailingExtensionBytes) {
  // HE-AAC style ASC with an SBR sync extension after the first two bytes.
  auto asc = parse_audio_specific_config(Bytes{0x11, 0x90, 0x56, 0xe5, 0x00});
  ASSERT_TRUE(asc.ok());
  EXPECT_EQ(asc->sample_rate, 48000);
  EXPECT_EQ(asc->channels, 2);
}

TEST(AacAsc, EscapeSampleRateRoundTrips) {
  AudioSpecificConfig config;
  config.object_type = 2;
  config.sample_rate = 50000;
  config.channels = 2;
  const Bytes built = build_audio_specific_config(config);
  // 5 + 4 + 24 + 4 + 3 bits = 5 bytes.
  const Bytes golden = {0x17, 0x80, 0x61, 0xa8, 0x10};
  EXPECT_EQ(built, golden);
  auto parsed = parse_audio_specific_config(built);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->sampling_index, 15);
  EXPECT_EQ(parsed->sample_rate, 50000);
  EXPECT_EQ(parsed->channels, 2);
}

TEST(AacAsc, EscapeObjectTypeRoundTrips) {
  AudioSpecificConfig config;
  config.object_type = 42;  // USAC
  config.sample_rate = 48000;
  config.channels = 2;
  auto parsed = parse_audio_specific_config(build_audio_specific_config(config));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->object_type, 42);
  EXPECT_EQ(parsed->sample_rate, 48000);
}

TEST(AacAsc, TruncationAndReservedValuesFail) {
  EXPECT_FALSE(parse_audio_specific_config({}).ok());
  EXPECT_FALSE(parse_audio_specific_config(Bytes{0x12}).ok());
  EXPECT_FALSE(parse_audio_specific_config(Bytes{0x17, 0x80, 0x61}).ok());  // escape rate cut short
  EXPECT_FALSE(parse_audio_specific_config(Bytes{0x16, 0x90}).ok());        // sampling index 13
  EXPECT_FALSE(parse_audio_specific_config(Bytes{0x12, 0x40}).ok());        // channel configuration 8
  EXPECT_FALSE(parse_audio_specific_config(Bytes{0x00, 0x10}).ok());        // object type 0
}

}  // namespace
}  // namespace lunora::media::aac
