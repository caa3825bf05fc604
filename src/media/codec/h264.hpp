// H.264 bitstream helpers: Annex-B <-> AVCC, SPS parsing, AVCDecoderConfigurationRecord.
// Parsers never throw and never read out of bounds; malformed input is an Error.
#pragma once

#include <cstdint>
#include <vector>

#include "core/byte_io.hpp"
#include "core/result.hpp"

namespace lunora::media::h264 {

enum NalType : uint8_t { kNalSlice = 1, kNalIdr = 5, kNalSei = 6, kNalSps = 7, kNalPps = 8, kNalAud = 9 };

inline uint8_t nal_type(ByteSpan nal) {
  return nal.empty() ? 0 : (nal[0] & 0x1F);
}

struct Sps {
  uint8_t profile_idc = 0;
  uint8_t constraint_flags = 0;
  uint8_t level_idc = 0;
  int chroma_format_idc = 1;
  int bit_depth_luma = 8;
  int bit_depth_chroma = 8;
  int width = 0;   // after cropping
  int height = 0;  // after cropping
  double fps = 0;  // from VUI timing info (time_scale / (2 * num_units_in_tick)); 0 when absent
};

// `nal` starts with the one-byte NAL header (type 7). Handles emulation prevention bytes, scaling lists,
// frame cropping and VUI timing.
Result<Sps> parse_sps(ByteSpan nal);

// NAL units of an Annex-B byte stream (3- or 4-byte start codes), without the start codes. Spans point into
// `data`. Empty NAL units are skipped.
std::vector<ByteSpan> split_annexb(ByteSpan data);

// NAL units of an AVCC buffer (4-byte big-endian length prefixes). A length running past the end is an Error.
Result<std::vector<ByteSpan>> split_avcc(ByteSpan data);
// The same with the record's NAL length size (1, 2 or 4; AvcConfig::nal_length_size).
Result<std::vector<ByteSpan>> split_avcc(ByteSpan data, uint8_t nal_length_size);

// Appends `nal` to `out` with a 4-byte length prefix.
void append_avcc(Bytes& out, ByteSpan nal);

struct AvcConfig {
  std::vector<Bytes> sps;  // each with its NAL header byte
  std::vector<Bytes> pps;
  uint8_t nal_length_size = 4;
};

// AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.2.4.1), including the High-profile chroma/bit-depth
// extension when the SPS's profile needs it (what OBS and FFmpeg write).
Bytes build_avc_decoder_config(const AvcConfig& config);
Result<AvcConfig> parse_avc_decoder_config(ByteSpan record);
// The SPS and PPS of an encoder's Annex-B extradata (libx264's with AV_CODEC_FLAG_GLOBAL_HEADER); an error
// when either is missing.
Result<AvcConfig> avc_config_from_annexb(ByteSpan extradata);

}  // namespace lunora::media::h264
