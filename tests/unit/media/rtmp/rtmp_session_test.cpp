// Component test: a RtmpPushSession and a RtmpServerSession talking over an in-memory pipe.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "media/rtmp/rtmp_control.hpp"
#include "media/rtmp/rtmp_handshake.hpp"
#include "media/rtmp/rtmp_push_session.hpp"
#include "media/rtmp/rtmp_server_session.hpp"

namespace lunora::media::rtmp {
namespace {

struct Media {
  uint8_t type;
  uint32_t timestamp;
  Bytes body;
};

class RecordingCallbacks : public RtmpServerSessionCallbacks {
 public:
  Status on_publish(std::string_view app, std::string_view stream_key) override {
    this->app = app;
    key = stream_key;
    if (stream_key != accepted_key) return Error(ErrorCode::kPublishRejected, "unknown stream key");
    return ok_status();
  }
  void on_media_message(uint8_t type, uint32_t timestamp_ms, ByteSpan body) override {
    media.push_back({type, timestamp_ms, Bytes(body.begin(), body.end())});
  }
  void on_unpublish() override { ++unpublished; }

  std::string accepted_key = "secret";
  std::string app;
  std::string key;
  std::vector<Media> media;
  int unpublished = 0;
};

RtmpPushParams params(std::string key) {
  return {.app = "live?token=1",
          .tc_url = "rtmp://127.0.0.1/live?token=1",
          .stream_key = std::move(key),
          .chunk_size = 4096,
          .random_seed = 42};
}

// Feeds `data` whole or one byte at a time, stopping at the first error.
Status deliver(ByteSpan data, bool bytewise, auto&& feed) {
  if (!bytewise) return feed(data);
  for (size_t i = 0; i < data.size(); ++i) {
    Status s = feed(data.subspan(i, 1));
    if (!s) return s;
  }
  return ok_status();
}

// Pumps bytes both ways until both sides are quiet; returns the push side's first error.
Status pump(RtmpPushSession& push, RtmpServerSession& server, bool bytewise) {
  for (int round = 0; round < 20; ++round) {
    Bytes to_server = push.take_output();
    EXPECT_TRUE(deliver(to_server, bytewise, [&](ByteSpan d) { return server.feed(d); }).ok());
    Bytes to_push = server.take_output();
    Status s = deliver(to_push, bytewise, [&](ByteSpan d) { return push.feed(d); });
    if (!s) return s;
    if (to_server.empty() && to_push.empty()) break;
  }
  return ok_status();
}

class RtmpSessionTest : public ::testing::TestWithParam<bool> {};

TEST_P(RtmpSessionTest, PushReachesLiveAndMediaArrives) {
  RecordingCallbacks callbacks;
  RtmpServerSession server(callbacks);
  RtmpPushSession push(params("secret?backup=1"));
  callbacks.accepted_key = "secret";
  push.start();
  ASSERT_TRUE(pump(push, server, GetParam()).ok());
  EXPECT_EQ(push.state(), RtmpPushState::kLive);
  EXPECT_EQ(push.stream_id(), 1u);
  EXPECT_TRUE(server.publishing());
  EXPECT_EQ(callbacks.app, "live");
  EXPECT_EQ(callbacks.key, "secret");

  Bytes big(10000);
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<uint8_t>(i);
  Bytes prefix = {0x17, 0x01, 0x00, 0x00, 0x00};
  Bytes audio = {0xAF, 0x01, 0x21, 0x22};
  std::vector<ByteSpan> video_parts = {prefix, big};
  std::vector<ByteSpan> audio_parts = {audio};
  ScatterList list;
  push.append_metadata({.width = 160, .height = 120, .fps = 10, .has_audio = false}, list);
  push.append_media(kVideo, 0x1234567, video_parts, list);
  push.append_media(kAudio, 0x1234568, audio_parts, list);
  ASSERT_TRUE(deliver(list.flatten(), GetParam(), [&](ByteSpan d) { return server.feed(d); }).ok());

  ASSERT_EQ(callbacks.media.size(), 3u);
  EXPECT_EQ(callbacks.media[0].type, kDataAmf0);
  auto metadata = decode_amf0(callbacks.media[0].body);
  ASSERT_TRUE(metadata.ok());
  ASSERT_EQ(metadata->size(), 3u);
  EXPECT_EQ((*metadata)[0].string, "@setDataFrame");
  EXPECT_EQ((*metadata)[2].number_at("width"), 160.0);
  EXPECT_EQ((*metadata)[2].number_at("videocodecid"), 7.0);
  EXPECT_EQ((*metadata)[2].find("audiocodecid"), nullptr);
  EXPECT_EQ((*metadata)[2].string_at("encoder"), "Lunora");

  EXPECT_EQ(callbacks.media[1].type, kVideo);
  EXPECT_EQ(callbacks.media[1].timestamp, 0x1234567u);
  Bytes want = prefix;
  want.insert(want.end(), big.begin(), big.end());
  EXPECT_EQ(callbacks.media[1].body, want);
  EXPECT_EQ(callbacks.media[2].type, kAudio);
  EXPECT_EQ(callbacks.media[2].timestamp, 0x1234568u);
  EXPECT_EQ(callbacks.media[2].body, audio);

  ASSERT_TRUE(server.feed(push.close_messages()).ok());
  EXPECT_EQ(callbacks.unpublished, 1);
  EXPECT_FALSE(server.publishing());
}

TEST_P(RtmpSessionTest, WrongKeyIsRejectedWithTheServersDescription) {
  RecordingCallbacks callbacks;
  RtmpServerSession server(callbacks);
  RtmpPushSession push(params("wrong"));
  push.start();
  Status s = pump(push, server, GetParam());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kPublishRejected);
  EXPECT_NE(s.error().message().find("NetStream.Publish.BadName"), std::string::npos) << s.error().message();
  EXPECT_NE(s.error().message().find("unknown stream key"), std::string::npos) << s.error().message();
  EXPECT_EQ(push.state(), RtmpPushState::kFailed);
  EXPECT_TRUE(server.closing());
  EXPECT_FALSE(server.publishing());
  EXPECT_EQ(push.feed(Bytes{0}).error().code(), ErrorCode::kPublishRejected) << "failure is sticky";
}

INSTANTIATE_TEST_SUITE_P(WholeAndBytewise, RtmpSessionTest, ::testing::Bool());

// Messages the server sent after its handshake reply.
std::vector<RtmpMessage> server_messages(const Bytes& output, size_t skip) {
  RtmpChunkReader reader;
  std::vector<RtmpMessage> out;
  EXPECT_TRUE(reader.feed(ByteSpan(output).subspan(skip), out).ok());
  return out;
}

Bytes client_handshake() {
  Bytes b = {kRtmpVersion};
  append_handshake_packet(7, b);
  append_handshake_packet(8, b);  // C2 contents are not verified
  return b;
}

TEST(RtmpServerSession, RejectsAnUnknownHandshakeVersion) {
  RecordingCallbacks callbacks;
  RtmpServerSession server(callbacks);
  Bytes c0c1 = client_handshake();
  c0c1[0] = 6;
  auto s = server.feed(c0c1);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kParse);
}

TEST(RtmpServerSession, AnswersPingsAndAcknowledgesPerThePeersWindow) {
  RecordingCallbacks callbacks;
  RtmpServerSession server(callbacks);
  RtmpChunkWriter writer;
  Bytes in = client_handshake();
  write_control(writer, kWindowAckSize, 100, in);
  write_user_control(writer, kPingRequest, 0xCAFE, in);
  ASSERT_TRUE(server.feed(in).ok());
  auto replies = server_messages(server.take_output(), 1 + 2 * kHandshakePacketSize);
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0].header.type, kUserControl);
  EXPECT_EQ(replies[0].payload, (Bytes{0, 7, 0, 0, 0xCA, 0xFE}));
  EXPECT_EQ(replies[1].header.type, kAcknowledgement);
}

TEST(RtmpPushSession, AnswersPingsAndAcknowledgesPerTheServersWindow) {
  RtmpPushSession push(params("k"));
  push.start();
  Bytes c0c1 = push.take_output();
  ASSERT_EQ(c0c1.size(), 1 + kHandshakePacketSize);
  EXPECT_EQ(c0c1[0], kRtmpVersion);
  Bytes in = {kRtmpVersion};
  append_handshake_packet(1, in);
  Bytes s1(in.begin() + 1, in.end());
  append_handshake_packet(2, in);
  RtmpChunkWriter writer;
  write_control(writer, kWindowAckSize, 1000, in);
  write_user_control(writer, kPingRequest, 5, in);
  ASSERT_TRUE(push.feed(in).ok());
  Bytes out = push.take_output();
  ASSERT_GE(out.size(), s1.size());
  EXPECT_TRUE(std::equal(s1.begin(), s1.end(), out.begin())) << "C2 echoes S1";
  RtmpChunkReader reader;
  std::vector<RtmpMessage> sent;
  ASSERT_TRUE(reader.feed(ByteSpan(out).subspan(s1.size()), sent).ok());
  ASSERT_EQ(sent.size(), 4u);  // Set Chunk Size, connect, ping response, acknowledgement
  EXPECT_EQ(sent[0].header.type, kSetChunkSize);
  EXPECT_EQ(sent[0].payload, (Bytes{0, 0, 0x10, 0}));
  EXPECT_EQ(sent[1].header.csid, kCsidCommand);
  EXPECT_EQ(sent[2].payload, (Bytes{0, 7, 0, 0, 0, 5}));
  EXPECT_EQ(sent[3].header.type, kAcknowledgement);
  EXPECT_EQ(push.state(), RtmpPushState::kConnecting);
}

TEST(RtmpServerSession, IgnoresMediaBeforePublish) {
  RecordingCallbacks callbacks;
  RtmpServerSession server(callbacks);
  RtmpChunkWriter writer;
  Bytes in = client_handshake();
  writer.write_message({kCsidVideo, kVideo, 0, 1, 0}, Bytes{0x17}, in);
  ASSERT_TRUE(server.feed(in).ok());
  EXPECT_TRUE(callbacks.media.empty());
}

}  // namespace
}  // namespace lunora::media::rtmp
