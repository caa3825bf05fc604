// Chunk reassembly. A chunk is parsed only once it is complete in `pending_`, so a chunk split across feeds
// (down to one byte at a time) is simply retried; no stream state changes until the whole chunk is there.
#include <algorithm>
#include <string>

#include "media/rtmp/rtmp_chunk.hpp"

namespace lunora::media::rtmp {
namespace {

constexpr uint32_t kExtendedTimestamp = 0xFFFFFF;
constexpr uint32_t kMaxChunkSize = 0x7FFFFFFF;

Error chunk_error(std::string message) {
  return Error(ErrorCode::kParse, "rtmp chunk: " + std::move(message));
}

uint32_t read_u32_le(ByteReader& r) {
  uint32_t b0 = r.u8(), b1 = r.u8(), b2 = r.u8(), b3 = r.u8();
  return b0 | (b1 << 8) | (b2 << 16) | (b3 << 24);
}

}  // namespace

RtmpChunkReader::RtmpChunkReader(RtmpChunkReaderLimits limits) : limits_(limits) {}

Status RtmpChunkReader::feed(ByteSpan data, std::vector<RtmpMessage>& out) {
  if (failed_) return chunk_error("reader already failed");
  bytes_read_ += data.size();
  pending_.insert(pending_.end(), data.begin(), data.end());
  size_t pos = 0;
  while (pos < pending_.size()) {
    auto consumed = read_chunk(ByteSpan(pending_).subspan(pos), out);
    if (!consumed) {
      failed_ = true;
      pending_.clear();
      return consumed.error();
    }
    if (*consumed == 0) break;
    pos += *consumed;
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(pos));
  return ok_status();
}

// Returns the bytes of one complete chunk consumed, 0 when the chunk is not complete yet.
Result<size_t> RtmpChunkReader::read_chunk(ByteSpan data, std::vector<RtmpMessage>& out) {
  ByteReader r(data);
  uint8_t b0 = r.u8();
  uint8_t fmt = b0 >> 6;
  uint32_t csid = b0 & 0x3F;
  if (csid == 0) {
    csid = 64 + r.u8();
  } else if (csid == 1) {
    uint32_t low = r.u8();
    csid = 64 + low + 256 * static_cast<uint32_t>(r.u8());
  }
  if (r.failed()) return size_t{0};

  auto it = streams_.find(csid);
  if (it == streams_.end()) {
    if (fmt != 0) {
      return chunk_error("chunk stream " + std::to_string(csid) + " starts without a type 0 header");
    }
    if (streams_.size() >= limits_.max_chunk_streams) return chunk_error("too many chunk streams");
  }
  ChunkStream empty;
  const ChunkStream& cs = it == streams_.end() ? empty : it->second;

  ParsedHeader h = parse_header(r, fmt, cs);
  if (r.failed()) return size_t{0};
  if (h.header.length > limits_.max_message_size) {
    return chunk_error("message of " + std::to_string(h.header.length) + " bytes over the limit");
  }
  size_t already = h.continuation ? cs.partial.size() : 0;
  size_t take = std::min<size_t>(chunk_size_, h.header.length - already);
  ByteSpan body = r.bytes(take);
  if (r.failed()) return size_t{0};

  ChunkStream& stream = it == streams_.end() ? streams_[csid] : it->second;
  commit(stream, h, csid);
  stream.partial.insert(stream.partial.end(), body.begin(), body.end());
  if (stream.partial.size() == stream.header.length) {
    RtmpMessage message{stream.header, std::move(stream.partial)};
    stream.partial = Bytes();
    auto applied = apply_control(message);
    if (!applied) return applied.error();
    out.push_back(std::move(message));
  }
  return r.position();
}

// Resolves the header of a chunk against its stream's previous header (fmt 1-3 omit fields).
RtmpChunkReader::ParsedHeader RtmpChunkReader::parse_header(ByteReader& r, uint8_t fmt,
                                                            const ChunkStream& cs) const {
  ParsedHeader h;
  h.header = cs.header;
  h.delta = cs.timestamp_delta;
  h.extended = cs.extended_timestamp;
  // A fmt 3 chunk continues the partial message if there is one; any other header starts a new message.
  h.continuation = fmt == 3 && !cs.partial.empty();
  uint32_t ts_field = 0;
  if (fmt <= 2) {
    ts_field = r.u24();
    h.extended = ts_field >= kExtendedTimestamp;
  }
  if (fmt <= 1) {
    h.header.length = r.u24();
    h.header.type = r.u8();
  }
  if (fmt == 0) h.header.stream_id = read_u32_le(r);
  // FMLE/OBS/FFmpeg/nginx repeat the extended timestamp in fmt 3 chunks of a stream whose header used one.
  if (h.extended) ts_field = r.u32();
  if (fmt == 3) {
    if (!h.continuation) h.header.timestamp += h.delta;
    return h;
  }
  h.delta = ts_field;
  // A fmt 0 timestamp is absolute; it also serves as the delta for a following fmt 3 message (as FFmpeg
  // does).
  h.header.timestamp = fmt == 0 ? ts_field : h.header.timestamp + ts_field;
  return h;
}

void RtmpChunkReader::commit(ChunkStream& stream, const ParsedHeader& h, uint32_t csid) {
  if (!h.continuation) stream.partial.clear();
  stream.header = h.header;
  stream.header.csid = csid;
  stream.timestamp_delta = h.delta;
  stream.extended_timestamp = h.extended;
  stream.has_header = true;
}

// Set Chunk Size and Abort change how the very next chunk is read, so they act here, not in the session.
Status RtmpChunkReader::apply_control(const RtmpMessage& message) {
  if (message.header.type != kSetChunkSize && message.header.type != kAbort) return ok_status();
  ByteReader r(message.payload);
  uint32_t value = r.u32();
  if (r.failed()) return chunk_error("short protocol control message");
  if (message.header.type == kAbort) {
    auto it = streams_.find(value);
    if (it != streams_.end()) it->second.partial.clear();
    return ok_status();
  }
  if (value == 0 || value > kMaxChunkSize) return chunk_error("invalid chunk size " + std::to_string(value));
  chunk_size_ = value;
  return ok_status();
}

}  // namespace lunora::media::rtmp
