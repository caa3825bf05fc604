// Golden chunk bytes, both directions: one table drives the decode test (all at once and one byte at a time)
// and, for the rows the writer produces (fmt 0 first chunks, fmt 3 continuations), the encode test.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "media/rtmp/rtmp_chunk.hpp"

namespace lunora::media::rtmp {
namespace {

RtmpMessage msg(uint32_t csid, uint8_t type, uint32_t ts, uint32_t msid, Bytes payload) {
  RtmpMessage m;
  m.header = {csid, type, ts, msid, static_cast<uint32_t>(payload.size())};
  m.payload = std::move(payload);
  return m;
}

struct ChunkCase {
  std::string name;
  uint32_t chunk_size;  // the reader's and writer's starting chunk size
  Bytes wire;
  std::vector<RtmpMessage> messages;
  bool encodable;  // the writer produces exactly `wire` from `messages`
};

const std::vector<ChunkCase>& cases() {
  static const std::vector<ChunkCase> table = {
      {"fmt0_one_byte_basic_header",
       128,
       {0x03,                    // fmt 0, csid 3
        0x00, 0x01, 0x02,        // timestamp 258
        0x00, 0x00, 0x03,        // length 3
        0x14,                    // type 20 (AMF0 command)
        0x01, 0x00, 0x00, 0x00,  // msid 1, little endian
        0xAA, 0xBB, 0xCC},
       {msg(3, 20, 258, 1, {0xAA, 0xBB, 0xCC})},
       true},
      {"fmt0_two_byte_basic_header",
       128,
       {0x00, 0x24,  // fmt 0, csid 64 + 0x24 = 100
        0x00, 0x00, 0x0A, 0x00, 0x00, 0x01, 0x09, 0x00, 0x00, 0x00, 0x00, 0x17},
       {msg(100, 9, 10, 0, {0x17})},
       true},
      {"fmt0_three_byte_basic_header",
       128,
       {0x01, 0x50, 0x01,  // fmt 0, csid 64 + 0x0150 = 400 (low byte first)
        0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0xAF},
       {msg(400, 8, 0, 0, {0xAF})},
       true},
      {"fmt3_continuation",
       4,
       {0x04, 0x00, 0x00, 0x05, 0x00, 0x00, 0x06, 0x09, 0x01, 0x00, 0x00, 0x00,  // fmt 0, csid 4, len 6
        1, 2, 3, 4,                                                              // first chunk: 4 bytes
        0xC4,                                                                    // fmt 3, csid 4
        5, 6},
       {msg(4, 9, 5, 1, {1, 2, 3, 4, 5, 6})},
       true},
      {"extended_timestamp_repeated_in_fmt3",
       4,
       {0x06, 0xFF, 0xFF, 0xFF,                                      // fmt 0, csid 6, timestamp escape
        0x00, 0x00, 0x06, 0x08, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00,  // len 6, audio, msid 1,
        0x00, 0x00,                                                  // extended timestamp 0x01000000
        1,    2,    3,    4,                                         //
        0xC6, 0x01, 0x00, 0x00, 0x00,                                // fmt 3 repeats the extended timestamp
        5,    6},
       {msg(6, 8, 0x01000000, 1, {1, 2, 3, 4, 5, 6})},
       true},
      {"timestamp_exactly_0xffffff_is_extended",
       128,
       {0x05, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x01, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x02},
       {msg(5, 18, 0xFFFFFF, 0, {0x02})},
       true},
      {"zero_length_message",
       128,
       {0x03, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00},
       {msg(3, 20, 7, 0, {})},
       true},
      {"fmt1_fmt2_fmt3_deltas",
       128,
       {0x04, 0x00, 0x03, 0xE8, 0x00, 0x00, 0x01, 0x09, 0x01, 0x00, 0x00, 0x00, 0x11,  // fmt 0: ts 1000
        0x44, 0x00, 0x00, 0x28, 0x00, 0x00, 0x02, 0x08, 0x21, 0x22,  // fmt 1: +40, len 2, audio
        0x84, 0x00, 0x00, 0x14, 0x31, 0x32,                          // fmt 2: +20
        0xC4, 0x41, 0x42},                                           // fmt 3: +20 again
       {msg(4, 9, 1000, 1, {0x11}), msg(4, 8, 1040, 1, {0x21, 0x22}), msg(4, 8, 1060, 1, {0x31, 0x32}),
        msg(4, 8, 1080, 1, {0x41, 0x42})},
       false},
      {"fmt3_after_fmt0_uses_its_timestamp_as_delta",
       128,
       {0x04, 0x00, 0x00, 0x0A, 0x00, 0x00, 0x01, 0x09, 0x01, 0x00, 0x00, 0x00, 0x11,  // ts 10
        0xC4, 0x12},                                                                   // new message, ts 20
       {msg(4, 9, 10, 1, {0x11}), msg(4, 9, 20, 1, {0x12})},
       false},
      {"fmt1_extended_delta",
       128,
       {0x04, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x09, 0x01, 0x00, 0x00, 0x00, 0x11,  // ts 1
        0x44, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x01, 0x09, 0x01, 0x00, 0x00, 0x00,        // delta escape
        0x12},                                                                         // delta 0x01000000
       {msg(4, 9, 1, 1, {0x11}), msg(4, 9, 0x01000001, 1, {0x12})},
       false},
      {"interleaved_chunk_streams",
       2,
       {0x06, 0x00, 0x00, 0x01, 0x00, 0x00, 0x03, 0x08, 0x01, 0x00, 0x00, 0x00, 0xA1, 0xA2,  // audio part 1
        0x07, 0x00, 0x00, 0x02, 0x00, 0x00, 0x03, 0x09, 0x01, 0x00, 0x00, 0x00, 0xB1, 0xB2,  // video part 1
        0xC6, 0xA3,                                                                          // audio done
        0xC7, 0xB3},                                                                         // video done
       {msg(6, 8, 1, 1, {0xA1, 0xA2, 0xA3}), msg(7, 9, 2, 1, {0xB1, 0xB2, 0xB3})},
       false},
      {"set_chunk_size_applies_to_the_rest_of_the_buffer",
       128,
       {0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00,  // Set Chunk Size
        0x00, 0x00, 0x00, 0x02,                                                  // 2
        0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x09, 0x01, 0x00, 0x00, 0x00, 0x01, 0x02, 0xC4, 0x03},
       {msg(2, 1, 0, 0, {0, 0, 0, 2}), msg(4, 9, 0, 1, {1, 2, 3})},
       false},
      {"abort_drops_the_partial_message",
       2,
       {0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x09, 0x01, 0x00, 0x00, 0x00, 0x01, 0x02,  // partial
        0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // Abort csid 4
        0xC2, 0x00, 0x04,                                                                    // (continued)
        0x04, 0x00, 0x00, 0x05, 0x00, 0x00, 0x01, 0x09, 0x01, 0x00, 0x00, 0x00, 0x07},       // fresh message
       {msg(2, 2, 0, 0, {0, 0, 0, 4}), msg(4, 9, 5, 1, {0x07})},
       false},
  };
  return table;
}

void expect_messages(const std::vector<RtmpMessage>& got, const std::vector<RtmpMessage>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE("message " + std::to_string(i));
    EXPECT_EQ(got[i].header.csid, want[i].header.csid);
    EXPECT_EQ(got[i].header.type, want[i].header.type);
    EXPECT_EQ(got[i].header.timestamp, want[i].header.timestamp);
    EXPECT_EQ(got[i].header.stream_id, want[i].header.stream_id);
    EXPECT_EQ(got[i].header.length, want[i].header.length);
    EXPECT_EQ(got[i].payload, want[i].payload);
  }
}

RtmpChunkReader reader_with_chunk_size(uint32_t size) {
  RtmpChunkReader reader;
  if (size == 128) return reader;
  // Reach the starting chunk size the way a peer would: a Set Chunk Size message.
  Bytes set = {0x02, 0, 0, 0, 0, 0, 4, 0x01, 0, 0, 0, 0};
  put_u32(set, size);
  std::vector<RtmpMessage> ignored;
  EXPECT_TRUE(reader.feed(set, ignored).ok());
  return reader;
}

TEST(RtmpChunkGolden, DecodesAllAtOnce) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    RtmpChunkReader reader = reader_with_chunk_size(c.chunk_size);
    std::vector<RtmpMessage> got;
    ASSERT_TRUE(reader.feed(c.wire, got).ok());
    expect_messages(got, c.messages);
  }
}

TEST(RtmpChunkGolden, DecodesOneByteAtATime) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    RtmpChunkReader reader = reader_with_chunk_size(c.chunk_size);
    std::vector<RtmpMessage> got;
    for (uint8_t b : c.wire) ASSERT_TRUE(reader.feed(ByteSpan(&b, 1), got).ok());
    expect_messages(got, c.messages);
  }
}

TEST(RtmpChunkGolden, EncodesWithWriteMessage) {
  for (const auto& c : cases()) {
    if (!c.encodable) continue;
    SCOPED_TRACE(c.name);
    RtmpChunkWriter writer;
    writer.set_chunk_size(c.chunk_size);
    Bytes out;
    for (const auto& m : c.messages) writer.write_message(m.header, m.payload, out);
    EXPECT_EQ(out, c.wire);
  }
}

TEST(RtmpChunkGolden, EncodesWithAppendMessageFromSplitParts) {
  for (const auto& c : cases()) {
    if (!c.encodable) continue;
    SCOPED_TRACE(c.name);
    RtmpChunkWriter writer;
    writer.set_chunk_size(c.chunk_size);
    ScatterList list;
    for (const auto& m : c.messages) {
      // Split the body unevenly (and with an empty part) so pieces cross chunk boundaries.
      ByteSpan body(m.payload);
      size_t cut = body.size() / 3;
      std::vector<ByteSpan> parts = {body.first(cut), ByteSpan(), body.subspan(cut)};
      writer.append_message(m.header, parts, list);
    }
    EXPECT_EQ(list.flatten(), c.wire);
    EXPECT_EQ(list.total_size, c.wire.size());
  }
}

TEST(RtmpChunkWriter, AppendMessageReferencesBodyWithoutCopying) {
  Bytes body(300, 0x5A);
  RtmpChunkWriter writer;
  ScatterList list;
  ByteSpan part(body);
  writer.append_message({kCsidVideo, kVideo, 40, 1, 0}, std::span(&part, 1), list);
  size_t external = 0;
  for (const auto& p : list.pieces) {
    if (p.data != nullptr) {
      EXPECT_GE(p.data, body.data());
      EXPECT_LE(p.data + p.size, body.data() + body.size());
      external += p.size;
    }
  }
  EXPECT_EQ(external, body.size());
  EXPECT_EQ(list.arena.size(), 12u + 2u);  // one fmt 0 header, two fmt 3 basic headers
}

struct HostileCase {
  std::string name;
  Bytes wire;
};

TEST(RtmpChunkReader, RejectsHostileInput) {
  const std::vector<HostileCase> hostile = {
      {"fmt1_on_a_new_chunk_stream", {0x44, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x09, 0x00}},
      {"chunk_size_zero", {0x02, 0, 0, 0, 0, 0, 4, 0x01, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x00}},
      {"chunk_size_above_2_31", {0x02, 0, 0, 0, 0, 0, 4, 0x01, 0, 0, 0, 0, 0x80, 0x00, 0x00, 0x00}},
      {"short_set_chunk_size", {0x02, 0, 0, 0, 0, 0, 2, 0x01, 0, 0, 0, 0, 0x00, 0x10}},
      {"message_over_the_limit", {0x04, 0, 0, 0, 0x01, 0x00, 0x01, 0x09, 0, 0, 0, 0}},
  };
  for (const auto& c : hostile) {
    SCOPED_TRACE(c.name);
    RtmpChunkReader reader({.max_message_size = 0x10000, .max_chunk_streams = 64});
    std::vector<RtmpMessage> out;
    auto status = reader.feed(c.wire, out);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code(), ErrorCode::kParse);
    EXPECT_FALSE(reader.feed(Bytes{0x03}, out).ok()) << "a failed reader stays failed";
  }
}

TEST(RtmpChunkReader, LimitsTheNumberOfChunkStreams) {
  RtmpChunkReader reader({.max_message_size = 1024, .max_chunk_streams = 3});
  std::vector<RtmpMessage> out;
  Bytes wire;
  for (uint8_t csid = 3; csid < 7; ++csid) {
    // A chunk stream's state outlives its messages (fmt 1-3 refer to it), so each one counts.
    Bytes chunk = {csid, 0, 0, 0, 0, 0, 0x01, 0x09, 0, 0, 0, 0, 0x00};
    wire.insert(wire.end(), chunk.begin(), chunk.end());
  }
  auto status = reader.feed(wire, out);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message().find("too many chunk streams"), std::string::npos);
}

TEST(RtmpChunkRoundTrip, LargeBodyWithExtendedTimestampAcrossManyChunks) {
  Bytes body(10000);
  for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<uint8_t>(i * 7);
  RtmpChunkWriter writer;
  writer.set_chunk_size(4096);
  Bytes wire = {0x02, 0, 0, 0, 0, 0, 4, 0x01, 0, 0, 0, 0, 0x00, 0x00, 0x10, 0x00};  // Set Chunk Size 4096
  writer.write_message({kCsidVideo, kVideo, 0x12345678, 1, 0}, body, wire);
  writer.write_message({kCsidVideo, kVideo, 0x12345679, 1, 0}, body, wire);
  RtmpChunkReader reader;
  std::vector<RtmpMessage> out;
  ASSERT_TRUE(reader.feed(wire, out).ok());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[1].header.timestamp, 0x12345678u);
  EXPECT_EQ(out[2].header.timestamp, 0x12345679u);
  EXPECT_EQ(out[2].payload, body);
}

}  // namespace
}  // namespace lunora::media::rtmp
