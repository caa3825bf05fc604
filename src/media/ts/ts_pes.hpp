// PES packet headers (ISO/IEC 13818-1 2.4.3.6) and the 33-bit timestamp arithmetic around them.
#pragma once

#include <cstdint>
#include <optional>

#include "core/byte_io.hpp"
#include "core/result.hpp"

namespace lunora::media::ts {

constexpr int64_t kTimestampModulus = int64_t{1} << 33;
constexpr uint8_t kStreamIdVideo = 0xE0;
constexpr uint8_t kStreamIdAudio = 0xC0;

struct PesHeader {
  uint8_t stream_id = 0;
  size_t packet_length = 0;    // PES_packet_length: bytes after the field, 0 = unbounded (video)
  size_t header_size = 0;      // bytes before the elementary stream data
  std::optional<int64_t> pts;  // raw 33-bit values
  std::optional<int64_t> dts;
};

// Total PES size announced by the first 6 bytes, or 0 when unbounded or not yet known.
size_t pes_announced_size(ByteSpan data);

Result<PesHeader> parse_pes_header(ByteSpan data);

// Header of a PES carrying PTS and, when it differs, DTS; `es_size` sets PES_packet_length when it fits and
// `bounded` allows it (video PES use length 0).
Bytes build_pes_header(uint8_t stream_id, int64_t pts, int64_t dts, size_t es_size, bool bounded);

// b - a on the 33-bit circle, as the signed difference of smallest magnitude.
int64_t timestamp_delta(int64_t a, int64_t b);

// Maps 33-bit timestamps onto a continuous 64-bit timeline: each value is placed at the 2^33 multiple that
// lands it nearest to the previous one, so a jump of more than 2^32 ticks (about 13 hours) reads as a wrap in
// either direction.
class TimestampUnwrapper {
 public:
  int64_t unwrap(int64_t raw33);

 private:
  std::optional<int64_t> last_;
};

}  // namespace lunora::media::ts
