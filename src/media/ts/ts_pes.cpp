#include "media/ts/ts_pes.hpp"

namespace lunora::media::ts {
namespace {

constexpr size_t kPesFixedHeader = 6;  // start code prefix, stream_id, PES_packet_length

Error pes_error(std::string what) {
  return Error(ErrorCode::kParse, "ts pes: " + std::move(what));
}

// Stream ids whose PES carry no optional header (2.4.3.7: program stream map, padding, private 2, ECM, ...).
bool has_optional_header(uint8_t stream_id) {
  switch (stream_id) {
    case 0xBC:
    case 0xBE:
    case 0xBF:
    case 0xF0:
    case 0xF1:
    case 0xF2:
    case 0xF8:
    case 0xFF:
      return false;
    default:
      return true;
  }
}

std::optional<int64_t> read_timestamp(ByteSpan b) {
  // '001x' or '0001' prefix, then 3 + 15 + 15 bits each followed by a marker bit.
  if ((b[0] & 0x01) == 0 || (b[2] & 0x01) == 0 || (b[4] & 0x01) == 0) return std::nullopt;
  return (int64_t{b[0] & 0x0E} << 29) | (int64_t{b[1]} << 22) | (int64_t{b[2] & 0xFE} << 14) |
         (int64_t{b[3]} << 7) | (int64_t{b[4]} >> 1);
}

void put_timestamp(Bytes& out, uint8_t prefix, int64_t ts) {
  const uint64_t v = static_cast<uint64_t>(ts) & (kTimestampModulus - 1);
  put_u8(out, static_cast<uint8_t>((prefix << 4) | ((v >> 29) & 0x0E) | 0x01));
  put_u16(out, static_cast<uint16_t>(((v >> 14) & 0xFFFE) | 0x01));
  put_u16(out, static_cast<uint16_t>(((v << 1) & 0xFFFE) | 0x01));
}

}  // namespace

size_t pes_announced_size(ByteSpan data) {
  if (data.size() < kPesFixedHeader) return 0;
  const size_t length = (size_t{data[4]} << 8) | data[5];
  return length == 0 ? 0 : kPesFixedHeader + length;
}

Result<PesHeader> parse_pes_header(ByteSpan data) {
  if (data.size() < kPesFixedHeader) return pes_error("header truncated");
  if (data[0] != 0 || data[1] != 0 || data[2] != 1) return pes_error("no start code prefix");
  PesHeader h;
  h.stream_id = data[3];
  h.packet_length = (size_t{data[4]} << 8) | data[5];
  if (!has_optional_header(h.stream_id)) {
    h.header_size = kPesFixedHeader;
    return h;
  }
  if (data.size() < kPesFixedHeader + 3) return pes_error("optional header truncated");
  if ((data[6] & 0xC0) != 0x80) return pes_error("bad optional header marker");
  const uint8_t pts_dts_flags = data[7] >> 6;
  const size_t header_data_length = data[8];
  h.header_size = kPesFixedHeader + 3 + header_data_length;
  if (data.size() < h.header_size) return pes_error("header data truncated");
  const ByteSpan fields = data.subspan(kPesFixedHeader + 3, header_data_length);
  if (pts_dts_flags == 1) return pes_error("forbidden PTS_DTS_flags value");
  if (pts_dts_flags >= 2) {
    if (fields.size() < 5 || !(h.pts = read_timestamp(fields.first(5)))) return pes_error("bad PTS");
  }
  if (pts_dts_flags == 3) {
    if (fields.size() < 10 || !(h.dts = read_timestamp(fields.subspan(5, 5)))) return pes_error("bad DTS");
  }
  return h;
}

Bytes build_pes_header(uint8_t stream_id, int64_t pts, int64_t dts, size_t es_size, bool bounded) {
  const bool with_dts = ((pts - dts) & (kTimestampModulus - 1)) != 0;
  const size_t header_data_length = with_dts ? 10 : 5;
  const size_t after_length = 3 + header_data_length + es_size;
  Bytes out;
  put_u8(out, 0);
  put_u8(out, 0);
  put_u8(out, 1);
  put_u8(out, stream_id);
  put_u16(out, static_cast<uint16_t>((bounded && after_length <= 0xFFFF) ? after_length : 0));
  put_u8(out, 0x80);  // marker '10', not scrambled, no priority/alignment/copyright flags
  put_u8(out, with_dts ? 0xC0 : 0x80);
  put_u8(out, static_cast<uint8_t>(header_data_length));
  put_timestamp(out, with_dts ? 0x3 : 0x2, pts);
  if (with_dts) put_timestamp(out, 0x1, dts);
  return out;
}

int64_t timestamp_delta(int64_t a, int64_t b) {
  int64_t d = (b - a) % kTimestampModulus;
  if (d < 0) d += kTimestampModulus;
  return d >= kTimestampModulus / 2 ? d - kTimestampModulus : d;
}

int64_t TimestampUnwrapper::unwrap(int64_t raw33) {
  const int64_t value = last_ ? *last_ + timestamp_delta(*last_, raw33) : raw33;
  last_ = value;
  return value;
}

}  // namespace lunora::media::ts
