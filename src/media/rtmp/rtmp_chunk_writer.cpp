// Message -> chunks, and the ScatterList that carries them to a scatter-gather write.
#include <algorithm>

#include "media/rtmp/rtmp_chunk.hpp"

namespace lunora::media::rtmp {
namespace {

constexpr uint32_t kExtendedTimestamp = 0xFFFFFF;

void put_u32_le(Bytes& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

size_t total_length(std::span<const ByteSpan> parts) {
  size_t n = 0;
  for (const auto& p : parts) n += p.size();
  return n;
}

}  // namespace

void ScatterList::add_arena(size_t offset, size_t size) {
  if (size == 0) return;
  total_size += size;
  // Header bytes of consecutive chunks are often adjacent in the arena: one piece fewer per merge.
  if (!pieces.empty() && pieces.back().data == nullptr &&
      pieces.back().offset + pieces.back().size == offset) {
    pieces.back().size += size;
    return;
  }
  pieces.push_back({nullptr, offset, size});
}

void ScatterList::add_external(const uint8_t* data, size_t size) {
  if (size == 0) return;
  total_size += size;
  pieces.push_back({data, 0, size});
}

Bytes ScatterList::flatten() const {
  Bytes out;
  out.reserve(total_size);
  for (const auto& p : pieces) {
    const uint8_t* begin = p.data != nullptr ? p.data : arena.data() + p.offset;
    out.insert(out.end(), begin, begin + p.size);
  }
  return out;
}

void RtmpChunkWriter::append_chunk_header(uint8_t fmt, const RtmpMessageHeader& header, Bytes& out) {
  uint32_t csid = header.csid;
  if (csid < 64) {
    put_u8(out, static_cast<uint8_t>((fmt << 6) | csid));
  } else if (csid < 320) {
    put_u8(out, static_cast<uint8_t>(fmt << 6));
    put_u8(out, static_cast<uint8_t>(csid - 64));
  } else {
    put_u8(out, static_cast<uint8_t>((fmt << 6) | 1));
    put_u8(out, static_cast<uint8_t>((csid - 64) & 0xFF));
    put_u8(out, static_cast<uint8_t>((csid - 64) >> 8));
  }
  bool extended = header.timestamp >= kExtendedTimestamp;
  if (fmt == 0) {
    put_u24(out, extended ? kExtendedTimestamp : header.timestamp);
    put_u24(out, header.length);
    put_u8(out, header.type);
    put_u32_le(out, header.stream_id);
  }
  // Repeated in fmt 3 continuation chunks too: FMS, OBS and nginx-rtmp read it there.
  if (extended) put_u32(out, header.timestamp);
}

void RtmpChunkWriter::append_message(RtmpMessageHeader header, std::span<const ByteSpan> body_parts,
                                     ScatterList& out) const {
  header.length = static_cast<uint32_t>(total_length(body_parts));
  size_t part = 0;
  size_t part_offset = 0;
  size_t left = header.length;
  uint8_t fmt = 0;
  do {
    size_t header_at = out.arena.size();
    append_chunk_header(fmt, header, out.arena);
    out.add_arena(header_at, out.arena.size() - header_at);
    size_t chunk_left = std::min<size_t>(std::max(chunk_size_, 1u), left);
    left -= chunk_left;
    while (chunk_left > 0) {
      const ByteSpan& p = body_parts[part];
      size_t n = std::min(chunk_left, p.size() - part_offset);
      out.add_external(p.data() + part_offset, n);
      chunk_left -= n;
      part_offset += n;
      if (part_offset == p.size()) {
        ++part;
        part_offset = 0;
      }
    }
    fmt = 3;
  } while (left > 0);
}

void RtmpChunkWriter::write_message(RtmpMessageHeader header, ByteSpan body, Bytes& out) const {
  header.length = static_cast<uint32_t>(body.size());
  size_t offset = 0;
  uint8_t fmt = 0;
  do {
    append_chunk_header(fmt, header, out);
    size_t n = std::min<size_t>(std::max(chunk_size_, 1u), body.size() - offset);
    out.insert(out.end(), body.begin() + static_cast<std::ptrdiff_t>(offset),
               body.begin() + static_cast<std::ptrdiff_t>(offset + n));
    offset += n;
    fmt = 3;
  } while (offset < body.size());
}

}  // namespace lunora::media::rtmp
