#include "media/ts/ts_psi.hpp"

#include <array>

namespace lunora::media::ts {
namespace {

constexpr uint16_t kProgramNumber = 1;
constexpr uint16_t kTransportStreamId = 1;
constexpr size_t kCrcSize = 4;

Error psi_error(std::string what) {
  return Error(ErrorCode::kParse, "ts psi: " + std::move(what));
}

constexpr std::array<uint32_t, 256> make_crc_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i << 24;
    for (int k = 0; k < 8; ++k) c = (c & 0x80000000u) ? (c << 1) ^ 0x04C11DB7u : (c << 1);
    table[i] = c;
  }
  return table;
}
constexpr std::array<uint32_t, 256> kCrcTable = make_crc_table();

// Checks table id, syntax, length and CRC; returns the bytes between the 8-byte long header and the CRC.
Result<ByteSpan> section_body(ByteSpan section, uint8_t table_id) {
  const size_t total = section_total_length(section);
  if (total == 0 || total > section.size()) return psi_error("section truncated");
  section = section.first(total);
  if (section[0] != table_id) return psi_error("unexpected table id");
  if (total < 8 + kCrcSize) return psi_error("section too short");
  if (crc32_mpeg2(section) != 0) return psi_error("section CRC mismatch");
  return section.subspan(8, total - 8 - kCrcSize);
}

Codec codec_from_descriptors(ByteSpan descriptors) {
  ByteReader r(descriptors);
  while (r.remaining() >= 2) {
    const uint8_t tag = r.u8();
    const ByteSpan body = r.bytes(r.u8());
    if (r.failed()) break;
    if (tag == 0x6A) return Codec::kAc3;    // DVB AC-3 descriptor
    if (tag == 0x05 && body.size() >= 4) {  // registration descriptor: format_identifier
      const std::string_view id(reinterpret_cast<const char*>(body.data()), 4);
      if (id == "Opus") return Codec::kOpus;
      if (id == "AC-3") return Codec::kAc3;
    }
  }
  return Codec::kUnknown;
}

Codec codec_from_stream_type(uint8_t stream_type, ByteSpan descriptors) {
  switch (stream_type) {
    case kStreamTypeH264:
      return Codec::kH264;
    case kStreamTypeAacAdts:
      return Codec::kAac;
    case 0x24:
      return Codec::kHevc;
    case 0x03:
    case 0x04:
      return Codec::kMp3;
    case 0x81:
      return Codec::kAc3;  // ATSC
    case 0x06:
      return codec_from_descriptors(descriptors);
    default:
      return Codec::kUnknown;
  }
}

void put_long_header(Bytes& out, uint8_t table_id, size_t body_size, uint16_t id_extension, uint8_t version) {
  put_u8(out, table_id);
  // section_syntax_indicator 1, '0', reserved '11', section_length counts the bytes after this field.
  put_u16(out, static_cast<uint16_t>(0xB000 | ((5 + body_size + kCrcSize) & 0x3FF)));
  put_u16(out, id_extension);
  put_u8(out, static_cast<uint8_t>(0xC1 | ((version & 0x1F) << 1)));  // reserved, version, current_next 1
  put_u8(out, 0);                                                     // section_number
  put_u8(out, 0);                                                     // last_section_number
}

void put_crc(Bytes& out) {
  put_u32(out, crc32_mpeg2(out));
}

}  // namespace

uint32_t crc32_mpeg2(ByteSpan data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (uint8_t b : data) crc = (crc << 8) ^ kCrcTable[((crc >> 24) ^ b) & 0xFF];
  return crc;
}

size_t section_total_length(ByteSpan data) {
  if (data.size() < 3) return 0;
  return 3 + (((data[1] & 0x0F) << 8) | data[2]);
}

Result<uint16_t> parse_pat(ByteSpan section) {
  auto body = section_body(section, kTablePat);
  if (!body) return body.error();
  ByteReader r(*body);
  while (r.remaining() >= 4) {
    const uint16_t program = r.u16();
    const uint16_t pid = r.u16() & 0x1FFF;
    if (program != 0) return pid;
  }
  return psi_error("PAT lists no program");
}

Result<Pmt> parse_pmt(ByteSpan section) {
  auto body = section_body(section, kTablePmt);
  if (!body) return body.error();
  Pmt pmt;
  pmt.version = static_cast<uint8_t>((section[5] >> 1) & 0x1F);
  ByteReader r(*body);
  pmt.pcr_pid = r.u16() & 0x1FFF;
  r.skip(r.u16() & 0x0FFF);  // program_info descriptors
  while (!r.failed() && r.remaining() >= 5) {
    TsStreamInfo info;
    info.stream_type = r.u8();
    info.pid = r.u16() & 0x1FFF;
    const ByteSpan descriptors = r.bytes(r.u16() & 0x0FFF);
    info.codec = codec_from_stream_type(info.stream_type, descriptors);
    pmt.streams.push_back(info);
  }
  if (r.failed()) return psi_error("PMT truncated");
  return pmt;
}

Bytes build_pat(uint16_t pmt_pid) {
  Bytes out;
  put_long_header(out, kTablePat, 4, kTransportStreamId, 0);
  put_u16(out, kProgramNumber);
  put_u16(out, static_cast<uint16_t>(0xE000 | pmt_pid));
  put_crc(out);
  return out;
}

Bytes build_pmt(uint8_t version, uint16_t pcr_pid, const std::vector<TsStreamInfo>& streams) {
  Bytes out;
  put_long_header(out, kTablePmt, 4 + 5 * streams.size(), kProgramNumber, version);
  put_u16(out, static_cast<uint16_t>(0xE000 | pcr_pid));
  put_u16(out, 0xF000);  // program_info_length 0
  for (const TsStreamInfo& s : streams) {
    put_u8(out, s.stream_type);
    put_u16(out, static_cast<uint16_t>(0xE000 | s.pid));
    put_u16(out, 0xF000);  // ES_info_length 0
  }
  put_crc(out);
  return out;
}

}  // namespace lunora::media::ts
