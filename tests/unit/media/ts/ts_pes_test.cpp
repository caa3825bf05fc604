#include "media/ts/ts_pes.hpp"

#include <gtest/gtest.h>

#include "media/ts/ts_psi.hpp"

namespace lunora::media::ts {
namespace {

// Video PES header, PTS 0x1_0000_0003 (33 bits) and DTS 3000, unbounded length.
const Bytes kPtsDtsHeader = {0x00, 0x00, 0x01, 0xE0, 0x00, 0x00, 0x80, 0xC0, 0x0A, 0x39,
                             0x00, 0x01, 0x00, 0x07, 0x11, 0x00, 0x01, 0x17, 0x71};

TEST(TsPes, BuildsGoldenHeader) {
  EXPECT_EQ(build_pes_header(kStreamIdVideo, 0x100000003LL, 3000, 100, false), kPtsDtsHeader);
}

TEST(TsPes, ParsesGoldenHeader) {
  auto h = parse_pes_header(kPtsDtsHeader);
  ASSERT_TRUE(h.ok()) << h.error().message();
  EXPECT_EQ(h->stream_id, 0xE0);
  EXPECT_EQ(h->packet_length, 0u);
  EXPECT_EQ(h->header_size, kPtsDtsHeader.size());
  EXPECT_EQ(h->pts, 0x100000003LL);
  EXPECT_EQ(h->dts, 3000);
}

TEST(TsPes, PtsOnlyWhenEqualAndBoundedLength) {
  const Bytes header = build_pes_header(kStreamIdAudio, 90000, 90000, 200, true);
  ASSERT_EQ(header.size(), 14u);
  EXPECT_EQ(pes_announced_size(header), 6u + 3 + 5 + 200);
  auto h = parse_pes_header(header);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->pts, 90000);
  EXPECT_FALSE(h->dts.has_value());
}

TEST(TsPes, EveryTruncationFails) {
  for (size_t len = 0; len < kPtsDtsHeader.size(); ++len) {
    EXPECT_FALSE(parse_pes_header(ByteSpan(kPtsDtsHeader).first(len)).ok()) << len;
  }
}

TEST(TsPes, RejectsBadMarkers) {
  Bytes no_prefix = kPtsDtsHeader;
  no_prefix[2] = 0x02;
  EXPECT_FALSE(parse_pes_header(no_prefix).ok());
  Bytes bad_marker = kPtsDtsHeader;
  bad_marker[13] = 0x06;  // PTS marker bit cleared
  EXPECT_FALSE(parse_pes_header(bad_marker).ok());
  Bytes forbidden_flags = kPtsDtsHeader;
  forbidden_flags[7] = 0x40;
  EXPECT_FALSE(parse_pes_header(forbidden_flags).ok());
}

TEST(TsTimestamps, DeltaOnThe33BitCircle) {
  EXPECT_EQ(timestamp_delta(100, 200), 100);
  EXPECT_EQ(timestamp_delta(kTimestampModulus - 10, 5), 15);
  EXPECT_EQ(timestamp_delta(5, kTimestampModulus - 10), -15);
}

TEST(TsTimestamps, UnwrapsForwardAndToleratesSmallBackwardSteps) {
  TimestampUnwrapper u;
  EXPECT_EQ(u.unwrap(kTimestampModulus - 3000), kTimestampModulus - 3000);
  EXPECT_EQ(u.unwrap(0), kTimestampModulus);
  EXPECT_EQ(u.unwrap(kTimestampModulus - 1500), kTimestampModulus - 1500);  // B-frame/audio behind the wrap
  EXPECT_EQ(u.unwrap(3000), kTimestampModulus + 3000);
  // A second wrap, reached in steps of under 2^32 ticks (about 13 hours).
  EXPECT_EQ(u.unwrap(kTimestampModulus / 2), kTimestampModulus + kTimestampModulus / 2);
  EXPECT_EQ(u.unwrap(kTimestampModulus - 10), 2 * kTimestampModulus - 10);
  EXPECT_EQ(u.unwrap(10), 2 * kTimestampModulus + 10);
}

TEST(TsPsi, PatGoldenMatchesFfmpeg) {
  // FFmpeg's PAT for program 1 / PMT PID 0x1000, CRC included.
  const Bytes golden = {0x00, 0xB0, 0x0D, 0x00, 0x01, 0xC1, 0x00, 0x00,
                        0x00, 0x01, 0xF0, 0x00, 0x2A, 0xB1, 0x04, 0xB2};
  EXPECT_EQ(build_pat(0x1000), golden);
  auto pid = parse_pat(golden);
  ASSERT_TRUE(pid.ok());
  EXPECT_EQ(*pid, 0x1000);
  for (size_t len = 0; len < golden.size(); ++len) EXPECT_FALSE(parse_pat(ByteSpan(golden).first(len)).ok());
}

TEST(TsPsi, PmtRoundTrip) {
  const std::vector<TsStreamInfo> streams = {{0x100, 0x1B, Codec::kH264}, {0x101, 0x0F, Codec::kAac}};
  const Bytes section = build_pmt(5, 0x100, streams);
  auto pmt = parse_pmt(section);
  ASSERT_TRUE(pmt.ok()) << pmt.error().message();
  EXPECT_EQ(pmt->version, 5);
  EXPECT_EQ(pmt->pcr_pid, 0x100);
  ASSERT_EQ(pmt->streams.size(), 2u);
  EXPECT_EQ(pmt->streams[1].pid, 0x101);
  EXPECT_EQ(pmt->streams[1].codec, Codec::kAac);
  for (size_t len = 0; len < section.size(); ++len)
    EXPECT_FALSE(parse_pmt(ByteSpan(section).first(len)).ok());
}

}  // namespace
}  // namespace lunora::media::ts
