#include "media/ts/ts_demuxer.hpp"

#include <gtest/gtest.h>

#include "media/codec/h264.hpp"
#include "media/ts/ts_pes.hpp"
#include "media/ts/ts_psi.hpp"
#include "unit/media/ts/ts_test_support.hpp"

namespace lunora::media {
namespace {

using test::demux;
using test::RecordingCallbacks;

class SmallTs : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = test::read_file(test::kSmallTsPath);
    ASSERT_FALSE(data_.empty()) << "missing " << test::kSmallTsPath;
  }
  Bytes data_;
};

TEST_F(SmallTs, DemuxesEveryFrameWithParams) {
  TsDemuxerStats stats;
  const RecordingCallbacks rec = demux(data_, data_.size(), &stats);
  EXPECT_EQ(stats.packets, data_.size() / 188);
  EXPECT_EQ(stats.resyncs, 0u);
  EXPECT_EQ(stats.continuity_errors, 0u);
  EXPECT_EQ(stats.pes_errors, 0u);

  ASSERT_EQ(rec.programs.size(), 1u);
  ASSERT_EQ(rec.programs[0].size(), 2u);
  EXPECT_EQ(rec.programs[0][0].codec, Codec::kH264);
  EXPECT_EQ(rec.programs[0][1].codec, Codec::kAac);

  EXPECT_EQ(rec.count(PacketKind::kVideoConfig), 1u);
  EXPECT_EQ(rec.count(PacketKind::kAudioConfig), 1u);
  EXPECT_EQ(rec.count(PacketKind::kVideo), 50u);
  EXPECT_NEAR(static_cast<double>(rec.count(PacketKind::kAudio)), 2.0 * 48000 / 1024, 3.0);

  ASSERT_TRUE(rec.packets.front()->is_config());
  for (const auto& p : rec.packets) {
    EXPECT_EQ(p->epoch, 7u);
    if (p->kind == PacketKind::kVideoConfig) {
      EXPECT_EQ(p->video.width, 320);
      EXPECT_EQ(p->video.height, 240);
      EXPECT_DOUBLE_EQ(p->video.fps, 25.0);
      EXPECT_EQ(p->video.profile, 100);
      EXPECT_TRUE(h264::parse_avc_decoder_config(p->payload).ok());
    }
    if (p->kind == PacketKind::kAudioConfig) {
      EXPECT_EQ(p->audio.sample_rate, 48000);
      EXPECT_EQ(p->audio.channels, 1);
      EXPECT_EQ(p->audio.object_type, 2);
    }
  }
}

TEST_F(SmallTs, VideoTimingAndKeyframes) {
  const RecordingCallbacks rec = demux(data_, 1316);
  int64_t last_dts = INT64_MIN;
  int index = 0;
  for (const auto& p : rec.packets) {
    if (p->kind != PacketKind::kVideo) continue;
    EXPECT_EQ(p->keyframe, index % 25 == 0) << index;
    EXPECT_GT(p->dts, last_dts);
    EXPECT_GE(p->pts, p->dts);
    last_dts = p->dts;
    auto nals = h264::split_avcc(p->payload);
    ASSERT_TRUE(nals.ok());
    for (ByteSpan nal : *nals) {
      const uint8_t type = h264::nal_type(nal);
      EXPECT_TRUE(type != h264::kNalAud && type != h264::kNalSps && type != h264::kNalPps) << int{type};
    }
    ++index;
  }
}

TEST_F(SmallTs, AudioTimestampsAdvanceByOneFrame) {
  const RecordingCallbacks rec = demux(data_, data_.size());
  int64_t last = -1;
  for (const auto& p : rec.packets) {
    if (p->kind != PacketKind::kAudio) continue;
    EXPECT_TRUE(p->keyframe);
    EXPECT_EQ(p->pts, p->dts);
    if (last >= 0) {
      EXPECT_NEAR(p->pts - last, 1920, 1);  // 1024 samples at 48 kHz
    }
    last = p->pts;
  }
}

TEST_F(SmallTs, ByteAtATimeGivesIdenticalPackets) {
  const RecordingCallbacks whole = demux(data_, data_.size());
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{1316}}) {
    const RecordingCallbacks pieces = demux(data_, chunk);
    ASSERT_EQ(pieces.packets.size(), whole.packets.size()) << chunk;
    for (size_t i = 0; i < whole.packets.size(); ++i) {
      EXPECT_TRUE(test::same_packet(*whole.packets[i], *pieces.packets[i])) << "chunk " << chunk << " #" << i;
    }
  }
}

TEST_F(SmallTs, ResyncsAfterGarbage) {
  Bytes corrupted(data_.begin(), data_.begin() + 188 * 100);
  const Bytes garbage = {0x47, 0x01, 0x47, 0x00, 0x13, 0x47, 0x99};
  corrupted.insert(corrupted.end(), garbage.begin(), garbage.end());
  corrupted.insert(corrupted.end(), data_.begin() + 188 * 100, data_.end());
  for (size_t chunk : {size_t{1}, corrupted.size()}) {
    TsDemuxerStats stats;
    const RecordingCallbacks rec = demux(corrupted, chunk, &stats);
    EXPECT_EQ(stats.resyncs, 1u);
    EXPECT_EQ(stats.packets, data_.size() / 188);
    EXPECT_EQ(rec.count(PacketKind::kVideo), 50u);
  }
}

TEST_F(SmallTs, LeadingGarbageIsSkipped) {
  Bytes shifted = {0x00, 0x47, 0x12};
  shifted.insert(shifted.end(), data_.begin(), data_.end());
  TsDemuxerStats stats;
  const RecordingCallbacks rec = demux(shifted, 1, &stats);
  EXPECT_EQ(stats.resyncs, 1u);
  EXPECT_EQ(rec.count(PacketKind::kVideo), 50u);
}

TEST_F(SmallTs, LostPacketDropsOnlyTheBrokenPes) {
  // Remove one packet from the middle of a video PES (a packet on the video PID without unit start).
  size_t victim = 0;
  for (size_t off = 188 * 200; off + 188 <= data_.size(); off += 188) {
    const uint16_t pid = ((data_[off + 1] & 0x1F) << 8) | data_[off + 2];
    if (pid == 0x100 && !(data_[off + 1] & 0x40)) {
      victim = off;
      break;
    }
  }
  ASSERT_NE(victim, 0u);
  Bytes lossy(data_.begin(), data_.begin() + victim);
  lossy.insert(lossy.end(), data_.begin() + victim + 188, data_.end());
  TsDemuxerStats stats;
  const RecordingCallbacks rec = demux(lossy, lossy.size(), &stats);
  EXPECT_EQ(stats.continuity_errors, 1u);
  EXPECT_EQ(stats.pes_errors, 1u);
  EXPECT_EQ(rec.count(PacketKind::kVideo), 49u);
}

TEST_F(SmallTs, TruncatedPacketIsSkippedNotMerged) {
  // Packet 150 arrives cut to 100 bytes (partial loss): it must not swallow the head of packet 151.
  Bytes cut(data_.begin(), data_.begin() + 188 * 150 + 100);
  cut.insert(cut.end(), data_.begin() + 188 * 151, data_.end());
  for (size_t chunk : {size_t{1}, size_t{1316}}) {
    TsDemuxerStats stats;
    const RecordingCallbacks rec = demux(cut, chunk, &stats);
    EXPECT_EQ(stats.resyncs, 1u);
    EXPECT_EQ(stats.packets, data_.size() / 188 - 1);
    EXPECT_GE(rec.count(PacketKind::kVideo) + rec.count(PacketKind::kAudio),
              demux(data_, data_.size()).packets.size() - 4);
  }
}

TEST_F(SmallTs, JoiningMidStreamWaitsForConfig) {
  // Start in the middle of the first GOP: frames before the next SPS/PPS cannot be decoded and are dropped.
  const RecordingCallbacks rec = demux(ByteSpan(data_).subspan(188 * 60), 1316);
  bool config_seen = false;
  size_t frames = 0;
  for (const auto& p : rec.packets) {
    if (p->kind == PacketKind::kVideoConfig) config_seen = true;
    if (p->kind != PacketKind::kVideo) continue;
    ASSERT_TRUE(config_seen);
    if (frames++ == 0) {
      EXPECT_TRUE(p->keyframe);
    }
  }
  EXPECT_EQ(frames, 25u);
}

TEST_F(SmallTs, EveryTruncationIsSafe) {
  // Cut at every packet boundary and a few bytes around it: never more packets than the whole stream.
  const RecordingCallbacks whole = demux(data_, data_.size());
  for (size_t len = 0; len < 188 * 40; len += 61) {
    const RecordingCallbacks part = demux(ByteSpan(data_).first(len), 997);
    EXPECT_LE(part.packets.size(), whole.packets.size());
  }
}

// A hand-built stream: PAT, PMT listing HEVC and MP3 next to H.264, then a second PMT version.
Bytes psi_packet(uint16_t pid, const Bytes& section, uint8_t cc) {
  Bytes p = {0x47, static_cast<uint8_t>(0x40 | (pid >> 8)), static_cast<uint8_t>(pid & 0xFF),
             static_cast<uint8_t>(0x10 | cc), 0x00};
  p.insert(p.end(), section.begin(), section.end());
  p.resize(188, 0xFF);
  return p;
}

TEST(TsDemuxerPsi, ReportsEveryStreamAndVersionChanges) {
  const std::vector<TsStreamInfo> v1 = {
      {0x200, 0x24, Codec::kHevc}, {0x201, 0x03, Codec::kMp3}, {0x202, 0x06, Codec::kUnknown}};
  const std::vector<TsStreamInfo> v2 = {{0x200, 0x1B, Codec::kH264}};
  Bytes stream = psi_packet(0, ts::build_pat(0x300), 0);
  const Bytes pmt1 = psi_packet(0x300, ts::build_pmt(3, 0x200, v1), 0);
  const Bytes pmt1_again = psi_packet(0x300, ts::build_pmt(3, 0x200, v1), 1);
  const Bytes pmt2 = psi_packet(0x300, ts::build_pmt(4, 0x200, v2), 2);
  for (const Bytes* p : {&pmt1, &pmt1_again, &pmt2}) stream.insert(stream.end(), p->begin(), p->end());
  for (size_t chunk : {size_t{1}, stream.size()}) {
    const RecordingCallbacks rec = demux(stream, chunk);
    ASSERT_EQ(rec.programs.size(), 2u);
    ASSERT_EQ(rec.programs[0].size(), 3u);
    EXPECT_EQ(rec.programs[0][0].codec, Codec::kHevc);
    EXPECT_EQ(rec.programs[0][1].codec, Codec::kMp3);
    EXPECT_EQ(rec.programs[0][2].codec, Codec::kUnknown);
    EXPECT_EQ(rec.programs[0][2].stream_type, 0x06);
    ASSERT_EQ(rec.programs[1].size(), 1u);
    EXPECT_EQ(rec.programs[1][0].codec, Codec::kH264);
  }
}

TEST(TsDemuxerPsi, BadCrcIsIgnored) {
  Bytes pat = ts::build_pat(0x300);
  pat.back() ^= 1;
  Bytes stream = psi_packet(0, pat, 0);
  const Bytes pmt = psi_packet(0x300, ts::build_pmt(0, 0x200, {{0x200, 0x1B, Codec::kH264}}), 0);
  stream.insert(stream.end(), pmt.begin(), pmt.end());
  RecordingCallbacks rec;
  TsDemuxer demuxer(rec, 0);
  demuxer.feed(stream);
  EXPECT_TRUE(rec.programs.empty());
  EXPECT_EQ(demuxer.stats().psi_errors, 1u);
}

TEST(TsDemuxerPsi, HostilePacketsDoNotCrash) {
  // Adaptation field longer than the packet, pointer field past the end, huge section length.
  const Bytes bad_af = [] {
    Bytes p = {0x47, 0x41, 0x00, 0x30, 0xFF};
    p.resize(188, 0);
    return p;
  }();
  const Bytes bad_pointer = [] {
    Bytes p = {0x47, 0x40, 0x00, 0x10, 0xFF};
    p.resize(188, 0);
    return p;
  }();
  const Bytes bad_length = psi_packet(0, Bytes{0x00, 0xBF, 0xFF, 0x00}, 0);
  for (const Bytes* p : {&bad_af, &bad_pointer, &bad_length}) {
    RecordingCallbacks rec;
    TsDemuxer demuxer(rec, 0);
    demuxer.feed(*p);
    demuxer.flush();
    EXPECT_TRUE(rec.packets.empty());
    EXPECT_EQ(demuxer.stats().packets, 1u);
  }
}

}  // namespace
}  // namespace lunora::media
