#include "media/ts/ts_muxer.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "media/ts/ts_psi.hpp"
#include "unit/media/ts/ts_test_support.hpp"

namespace lunora::media {
namespace {

using test::demux;
using test::RecordingCallbacks;

uint16_t pid_of(const Bytes& ts, size_t packet) {
  return static_cast<uint16_t>(((ts[packet * 188 + 1] & 0x1F) << 8) | ts[packet * 188 + 2]);
}

Bytes mux_all(const std::vector<MediaPacketPtr>& packets) {
  TsMuxer muxer;
  Bytes out;
  for (const auto& p : packets) muxer.write(*p, out);
  return out;
}

std::string run(const std::string& command) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return output;
  char buf[512];
  while (size_t n = fread(buf, 1, sizeof buf, pipe)) output.append(buf, n);
  pclose(pipe);
  return output;
}

class TsMuxerRoundTrip : public ::testing::Test {
 protected:
  void SetUp() override {
    const Bytes input = test::read_file(test::kSmallTsPath);
    ASSERT_FALSE(input.empty());
    source_ = demux(input, input.size());
    muxed_ = mux_all(source_.packets);
  }
  RecordingCallbacks source_;
  Bytes muxed_;
};

TEST_F(TsMuxerRoundTrip, WritesWholeSyncedPacketsWithContinuousCounters) {
  ASSERT_FALSE(muxed_.empty());
  ASSERT_EQ(muxed_.size() % 188, 0u);
  std::map<uint16_t, int> last_cc;
  for (size_t i = 0; i < muxed_.size() / 188; ++i) {
    ASSERT_EQ(muxed_[i * 188], 0x47) << i;
    const uint16_t pid = pid_of(muxed_, i);
    const int cc = muxed_[i * 188 + 3] & 0x0F;
    if (last_cc.count(pid)) {
      EXPECT_EQ(cc, (last_cc[pid] + 1) & 0x0F) << "packet " << i;
    }
    last_cc[pid] = cc;
  }
  EXPECT_EQ(pid_of(muxed_, 0), ts::kPatPid);
  EXPECT_EQ(pid_of(muxed_, 1), TsMuxer::kPmtPid);
}

std::vector<MediaPacketPtr> only_video(const std::vector<MediaPacketPtr>& packets, bool video) {
  std::vector<MediaPacketPtr> out;
  for (const auto& p : packets) {
    if (p->is_video() == video) out.push_back(p);
  }
  return out;
}

// Audio and video interleave differently after remuxing (an unbounded video PES ends only at the next one),
// so each stream is compared on its own.
TEST_F(TsMuxerRoundTrip, DemuxesBackToTheSamePackets) {
  const RecordingCallbacks again = demux(muxed_, 1);
  for (bool video : {true, false}) {
    const auto expected = only_video(source_.packets, video);
    const auto actual = only_video(again.packets, video);
    ASSERT_EQ(actual.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i)
      EXPECT_TRUE(test::same_packet(*expected[i], *actual[i])) << i;
  }
}

// ffprobe prints each stream once per section (program and streams); any error line would add a new line.
std::set<std::string> lines(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.insert(line);
  return out;
}

TEST_F(TsMuxerRoundTrip, FfprobeDecodesIt) {
  const auto path =
      std::filesystem::temp_directory_path() / ("lunora_ts_muxer_" + std::to_string(getpid()) + ".ts");
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(muxed_.data()), static_cast<std::streamsize>(muxed_.size()));
  }
  const std::string video =
      run("ffprobe -v error -select_streams v:0 -count_frames -show_entries "
          "stream=codec_name,width,height,nb_read_frames -of default=nw=1 '" +
          path.string() + "' 2>&1");
  const std::string audio =
      run("ffprobe -v error -select_streams a:0 -count_frames -show_entries "
          "stream=codec_name,sample_rate,nb_read_frames -of default=nw=1 '" +
          path.string() + "' 2>&1");
  std::filesystem::remove(path);
  EXPECT_EQ(lines(video), lines("codec_name=h264\nwidth=320\nheight=240\nnb_read_frames=50\n")) << video;
  const std::string audio_frames = std::to_string(source_.count(PacketKind::kAudio));
  EXPECT_EQ(lines(audio), lines("codec_name=aac\nsample_rate=48000\nnb_read_frames=" + audio_frames))
      << audio;
}

TEST_F(TsMuxerRoundTrip, TimelineStaysContinuousAcrossThe33BitWrap) {
  // Shift the source so the wrap falls one second in: the muxer writes timestamps modulo 2^33, the demuxer
  // must put them back on one increasing timeline.
  const int64_t shift = (int64_t{1} << 33) - 90000 - 126000;
  TsMuxer muxer;
  Bytes out;
  for (const auto& p : source_.packets) {
    MediaPacket shifted = *p;
    shifted.dts += shift;
    shifted.pts += shift;
    muxer.write(shifted, out);
  }
  const RecordingCallbacks rec = demux(out, 1316);
  const auto expected = only_video(source_.packets, true);
  const auto actual = only_video(rec.packets, true);
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(actual[i]->dts - actual[0]->dts, expected[i]->dts - expected[0]->dts) << i;
    EXPECT_EQ(actual[i]->pts - actual[i]->dts, expected[i]->pts - expected[i]->dts) << i;
  }
  EXPECT_GT(actual.back()->dts, int64_t{1} << 33);
}

MediaPacketPtr packet(PacketKind kind, Bytes payload, int64_t ts, bool keyframe) {
  auto p = std::make_shared<MediaPacket>();
  p->kind = kind;
  p->payload = std::move(payload);
  p->dts = p->pts = ts;
  p->keyframe = keyframe;
  return p;
}

const Bytes kAsc = {0x11, 0x90};  // AAC LC 48 kHz stereo

TEST(TsMuxer, ConfigsWriteNothingAndFramesWithoutConfigAreDropped) {
  TsMuxer muxer;
  Bytes out;
  muxer.write(*packet(PacketKind::kAudio, {1, 2, 3}, 0, true), out);
  muxer.write(*packet(PacketKind::kVideo, {0, 0, 0, 1, 0x65}, 0, true), out);
  EXPECT_TRUE(out.empty());
  muxer.write(*packet(PacketKind::kAudioConfig, kAsc, 0, true), out);
  EXPECT_TRUE(out.empty());
}

TEST(TsMuxer, AudioOnlyCarriesPcrAndRepeatsPsi) {
  TsMuxer muxer;
  Bytes out;
  muxer.write(*packet(PacketKind::kAudioConfig, kAsc, 0, true), out);
  for (int i = 0; i < 50; ++i)
    muxer.write(*packet(PacketKind::kAudio, Bytes(100, 0x21), i * 1920, true), out);
  ASSERT_EQ(out.size() % 188, 0u);
  size_t pats = 0;
  for (size_t i = 0; i < out.size() / 188; ++i) {
    if (pid_of(out, i) == ts::kPatPid) ++pats;
    if (pid_of(out, i) == TsMuxer::kAudioPid) {
      ASSERT_EQ(out[i * 188 + 3] & 0x20, 0x20) << "adaptation field";
      EXPECT_EQ(out[i * 188 + 5] & 0x10, 0x10) << "PCR flag";
    }
  }
  EXPECT_EQ(pats, 3u);  // 50 frames of 1920 ticks span just over 1 s: a PAT every 0.5 s
  const RecordingCallbacks rec = demux(out, 188);
  EXPECT_EQ(rec.count(PacketKind::kAudioConfig), 1u);
  EXPECT_EQ(rec.count(PacketKind::kAudio), 50u);
  EXPECT_EQ(rec.packets.back()->pts, 49 * 1920);
}

TEST(TsMuxer, StreamSetChangeBumpsPmtVersion) {
  const Bytes input = test::read_file(test::kSmallTsPath);
  const RecordingCallbacks source = demux(input, input.size());
  TsMuxer muxer;
  Bytes out;
  // All video first, then the audio config and frames: the PMT must change version to list audio.
  for (const auto& p : source.packets) {
    if (p->is_video()) muxer.write(*p, out);
  }
  for (const auto& p : source.packets) {
    if (!p->is_video()) muxer.write(*p, out);
  }
  const RecordingCallbacks rec = demux(out, out.size());
  ASSERT_EQ(rec.programs.size(), 2u);
  EXPECT_EQ(rec.programs[0].size(), 1u);
  EXPECT_EQ(rec.programs[1].size(), 2u);
  EXPECT_EQ(rec.count(PacketKind::kAudio), source.count(PacketKind::kAudio));
}

}  // namespace
}  // namespace lunora::media
