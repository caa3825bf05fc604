// RTMP chunk stream layer: message <-> chunks (Adobe RTMP spec 5.3), both directions.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "core/byte_io.hpp"
#include "core/result.hpp"

namespace lunora::media::rtmp {

enum MessageType : uint8_t {
  kSetChunkSize = 1,
  kAbort = 2,
  kAcknowledgement = 3,
  kUserControl = 4,
  kWindowAckSize = 5,
  kSetPeerBandwidth = 6,
  kAudio = 8,
  kVideo = 9,
  kDataAmf3 = 15,
  kCommandAmf3 = 17,
  kDataAmf0 = 18,
  kCommandAmf0 = 20,
};

// Chunk stream ids used by Lunora when it sends (any of 3..63 fits a one-byte basic header).
enum ChunkStreamId : uint32_t {
  kCsidControl = 2,
  kCsidCommand = 3,
  kCsidPublish = 4,
  kCsidAudio = 6,
  kCsidVideo = 7,
  kCsidData = 5
};

struct RtmpMessageHeader {
  uint32_t csid = kCsidCommand;
  uint8_t type = kCommandAmf0;
  uint32_t timestamp = 0;  // milliseconds, absolute (the reader resolves deltas)
  uint32_t stream_id = 0;
  uint32_t length = 0;
};

struct RtmpMessage {
  RtmpMessageHeader header;
  Bytes payload;
};

struct RtmpChunkReaderLimits {
  uint32_t max_message_size = 16 * 1024 * 1024;
  uint32_t max_chunk_streams = 64;
};

// Reassembles messages from chunks. Handles fmt 0-3, 1-3 byte basic headers, extended timestamps (also the
// repeated extended timestamp in fmt 3 continuation chunks that FMLE/OBS send), interleaved chunk streams,
// Abort, and Set Chunk Size (applied at once, so chunks later in the same buffer use the new size).
class RtmpChunkReader {
 public:
  explicit RtmpChunkReader(RtmpChunkReaderLimits limits = {});

  // Consumes all of `data`, appending each completed message to `out`. An Error (malformed header, a message
  // over the size limit, too many chunk streams, a chunk size of 0 or above 2^31-1) leaves the reader
  // unusable: the caller closes the connection.
  Status feed(ByteSpan data, std::vector<RtmpMessage>& out);

  uint32_t chunk_size() const { return chunk_size_; }
  uint64_t bytes_read() const { return bytes_read_; }

 private:
  // What a chunk stream remembers between chunks: the previous header (for fmt 1-3) and a partial message.
  struct ChunkStream {
    RtmpMessageHeader header;
    uint32_t timestamp_delta = 0;
    bool extended_timestamp = false;
    bool has_header = false;
    Bytes partial;
  };
  // One chunk's header resolved against its stream, before it is committed.
  struct ParsedHeader {
    RtmpMessageHeader header;
    uint32_t delta = 0;
    bool extended = false;
    bool continuation = false;
  };

  Result<size_t> read_chunk(ByteSpan data, std::vector<RtmpMessage>& out);
  ParsedHeader parse_header(ByteReader& r, uint8_t fmt, const ChunkStream& cs) const;
  static void commit(ChunkStream& stream, const ParsedHeader& h, uint32_t csid);
  Status apply_control(const RtmpMessage& message);

  RtmpChunkReaderLimits limits_;
  bool failed_ = false;
  uint32_t chunk_size_ = 128;
  uint64_t bytes_read_ = 0;
  Bytes pending_;  // bytes of an incomplete chunk carried to the next feed
  std::map<uint32_t, ChunkStream> streams_;
};

// A list of byte ranges for one scatter-gather write: header bytes live in `arena` (so the list can grow
// without dangling), body pieces point into caller-owned payloads that must outlive the write.
struct ScatterList {
  struct Piece {
    const uint8_t* data = nullptr;  // nullptr: the range [offset, offset + size) of `arena`
    size_t offset = 0;
    size_t size = 0;
  };
  Bytes arena;
  std::vector<Piece> pieces;
  size_t total_size = 0;

  void clear() {
    arena.clear();
    pieces.clear();
    total_size = 0;
  }
  void add_arena(size_t offset, size_t size);
  void add_external(const uint8_t* data, size_t size);
  // All pieces copied into one buffer (tests, and writers without scatter-gather).
  Bytes flatten() const;
};

// Splits messages into chunks. Every message starts with a fmt 0 header (absolute timestamp, no cross-message
// compression: a destination can skip messages and rebase its clock freely, as SRS does); continuation chunks
// are fmt 3 and repeat the extended timestamp when one is used (what FMS/OBS/nginx-rtmp expect).
class RtmpChunkWriter {
 public:
  void set_chunk_size(uint32_t size) { chunk_size_ = size; }
  uint32_t chunk_size() const { return chunk_size_; }

  // Appends the chunks of one message whose body is the concatenation of `body_parts` (header.length is
  // ignored and computed). Header bytes go to out.arena; body bytes are referenced, not copied.
  void append_message(RtmpMessageHeader header, std::span<const ByteSpan> body_parts, ScatterList& out) const;
  // Same, copying everything into `out` (control and command messages).
  void write_message(RtmpMessageHeader header, ByteSpan body, Bytes& out) const;

 private:
  // Appends the basic header, the fmt 0 message header if fmt is 0, and the extended timestamp when used.
  static void append_chunk_header(uint8_t fmt, const RtmpMessageHeader& header, Bytes& out);

  uint32_t chunk_size_ = 128;
};

}  // namespace lunora::media::rtmp
