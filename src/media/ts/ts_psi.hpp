// MPEG-TS Program Specific Information: PAT and PMT sections (ISO/IEC 13818-1 2.4.4), both directions.
#pragma once

#include <cstdint>
#include <vector>

#include "core/byte_io.hpp"
#include "core/result.hpp"
#include "media/ts/ts_demuxer.hpp"

namespace lunora::media::ts {

constexpr size_t kPacketSize = 188;
constexpr uint8_t kSyncByte = 0x47;
constexpr uint16_t kPatPid = 0x0000;
constexpr uint16_t kNullPid = 0x1FFF;
constexpr uint8_t kTablePat = 0x00;
constexpr uint8_t kTablePmt = 0x02;
constexpr size_t kMaxSectionLength = 1021;  // section_length limit for PAT and PMT

constexpr uint8_t kStreamTypeH264 = 0x1B;
constexpr uint8_t kStreamTypeAacAdts = 0x0F;

uint32_t crc32_mpeg2(ByteSpan data);

// Section length including the 3-byte header, or 0 when fewer than 3 bytes are available.
size_t section_total_length(ByteSpan data);

// The PMT PID of the first program in a PAT section (program 0 is the network PID and is skipped).
Result<uint16_t> parse_pat(ByteSpan section);

struct Pmt {
  uint8_t version = 0;
  uint16_t pcr_pid = kNullPid;
  std::vector<TsStreamInfo> streams;
};
Result<Pmt> parse_pmt(ByteSpan section);

// Complete sections with CRC, ready for packetizing after a pointer_field.
Bytes build_pat(uint16_t pmt_pid);
Bytes build_pmt(uint8_t version, uint16_t pcr_pid, const std::vector<TsStreamInfo>& streams);

}  // namespace lunora::media::ts
