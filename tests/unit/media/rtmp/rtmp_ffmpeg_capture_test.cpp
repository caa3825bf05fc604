// Replays a real FFmpeg publish (testdata/README.md) into the ingest session, whole and one byte at a time.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "media/rtmp/rtmp_server_session.hpp"

namespace lunora::media::rtmp {
namespace {

Bytes read_capture() {
  std::ifstream in(LUNORA_TESTDATA_DIR "/media/rtmp/testdata/ffmpeg_publish.bin", std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class Recorder : public RtmpServerSessionCallbacks {
 public:
  Status on_publish(std::string_view app, std::string_view stream_key) override {
    publishes.push_back(std::string(app) + "/" + std::string(stream_key));
    return ok_status();
  }
  void on_media_message(uint8_t type, uint32_t timestamp_ms, ByteSpan body) override {
    types.push_back(type);
    timestamps.push_back(timestamp_ms);
    sizes.push_back(body.size());
    if (type == kVideo && body.size() > 1) video_headers.push_back({body[0], body[1]});
  }
  void on_unpublish() override { ++unpublishes; }

  std::vector<std::string> publishes;
  std::vector<uint8_t> types;
  std::vector<uint32_t> timestamps;
  std::vector<size_t> sizes;
  std::vector<std::pair<uint8_t, uint8_t>> video_headers;
  int unpublishes = 0;
};

void expect_ffmpeg_publish(const Recorder& r) {
  ASSERT_EQ(r.publishes, std::vector<std::string>{"live/key"});
  ASSERT_FALSE(r.types.empty());
  EXPECT_EQ(r.types[0], kDataAmf0);  // @setDataFrame onMetaData comes first
  EXPECT_EQ(std::count(r.types.begin(), r.types.end(), kVideo), 12);
  EXPECT_EQ(std::count(r.types.begin(), r.types.end(), kAudio), 46);
  ASSERT_FALSE(r.video_headers.empty());
  EXPECT_EQ(r.video_headers.front(), (std::pair<uint8_t, uint8_t>{0x17, 0x00}));  // AVC sequence header
  EXPECT_EQ(r.video_headers.back(), (std::pair<uint8_t, uint8_t>{0x17, 0x02}));   // end of sequence
  EXPECT_GT(*std::max_element(r.sizes.begin(), r.sizes.end()), 4096u) << "a frame spans several chunks";
  EXPECT_GT(r.timestamps.back(), 800u);
  EXPECT_EQ(r.unpublishes, 1);
}

TEST(RtmpFfmpegCapture, AllAtOnce) {
  Bytes capture = read_capture();
  ASSERT_GT(capture.size(), 3073u) << "missing " LUNORA_TESTDATA_DIR
                                      "/media/rtmp/testdata/ffmpeg_publish.bin";
  Recorder recorder;
  RtmpServerSession session(recorder);
  ASSERT_TRUE(session.feed(capture).ok());
  expect_ffmpeg_publish(recorder);
  EXPECT_EQ(session.app(), "live");
}

TEST(RtmpFfmpegCapture, OneByteAtATime) {
  Bytes capture = read_capture();
  Recorder recorder;
  RtmpServerSession session(recorder);
  for (uint8_t b : capture) ASSERT_TRUE(session.feed(ByteSpan(&b, 1)).ok());
  expect_ffmpeg_publish(recorder);
}

}  // namespace
}  // namespace lunora::media::rtmp
