#include "media/codec/aac.hpp"

#include <array>

#include "media/codec/bit_reader.hpp"

namespace lunora::media::aac {
namespace {

constexpr std::array<int, 13> kSampleRates = {96000, 88200, 64000, 48000, 44100, 32000, 24000,
                                              22050, 16000, 12000, 11025, 8000,  7350};
constexpr int kEscapeSamplingIndex = 15;
constexpr int kEscapeObjectType = 31;

Error parse_error(std::string what) {
  return Error(ErrorCode::kParse, "aac: " + std::move(what));
}

void put_bits(std::vector<bool>& bits, uint32_t value, int n) {
  for (int i = n - 1; i >= 0; --i) bits.push_back(((value >> i) & 1) != 0);
}

Bytes pack_bits(const std::vector<bool>& bits) {
  Bytes out((bits.size() + 7) / 8, 0);
  for (size_t i = 0; i < bits.size(); ++i) {
    if (bits[i]) out[i / 8] |= static_cast<uint8_t>(0x80 >> (i % 8));
  }
  return out;
}

}  // namespace

int sample_rate_from_index(int index) {
  return (index >= 0 && index < static_cast<int>(kSampleRates.size())) ? kSampleRates[index] : 0;
}

int index_from_sample_rate(int rate) {
  for (size_t i = 0; i < kSampleRates.size(); ++i) {
    if (kSampleRates[i] == rate) return static_cast<int>(i);
  }
  return -1;
}

Result<AdtsHeader> parse_adts_header(ByteSpan data) {
  if (data.size() < 7) return parse_error("ADTS header truncated");
  BitReader br(data.first(7));
  if (br.bits(12) != 0xFFF) return parse_error("no ADTS syncword");
  br.bit();  // ID: MPEG-4 or MPEG-2, same layout
  if (br.bits(2) != 0) return parse_error("ADTS layer is not 0");
  const bool protection_absent = br.bit() != 0;
  AdtsHeader h;
  h.config.object_type = static_cast<int>(br.bits(2)) + 1;
  h.config.sampling_index = static_cast<int>(br.bits(4));
  h.config.sample_rate = sample_rate_from_index(h.config.sampling_index);
  if (h.config.sample_rate == 0) return parse_error("reserved ADTS sampling frequency index");
  br.bit();  // private_bit
  h.config.channels = static_cast<int>(br.bits(3));
  br.skip(4);  // original_copy, home, copyright_identification_bit, copyright_identification_start
  h.frame_length = br.bits(13);
  br.skip(11);  // adts_buffer_fullness
  h.raw_blocks = static_cast<int>(br.bits(2)) + 1;
  h.header_size = protection_absent ? 7 : 9;
  if (h.frame_length < h.header_size) return parse_error("ADTS frame_length shorter than its header");
  return h;
}

Bytes build_adts_header(const AudioSpecificConfig& config, size_t payload_size) {
  const uint32_t profile = static_cast<uint32_t>(config.object_type >= 1 && config.object_type <= 4
                                                     ? config.object_type - 1
                                                     : 1);  // ADTS can only say Main/LC/SSR/LTP; LC otherwise
  int index = index_from_sample_rate(config.sample_rate);
  if (index < 0) index = config.sampling_index & 0x0F;
  const uint32_t frame_length = static_cast<uint32_t>(payload_size + 7) & 0x1FFF;
  std::vector<bool> bits;
  put_bits(bits, 0xFFF, 12);  // syncword
  put_bits(bits, 0, 1);       // ID: MPEG-4
  put_bits(bits, 0, 2);       // layer
  put_bits(bits, 1, 1);       // protection_absent
  put_bits(bits, profile, 2);
  put_bits(bits, static_cast<uint32_t>(index), 4);
  put_bits(bits, 0, 1);  // private_bit
  put_bits(bits, static_cast<uint32_t>(config.channels) & 0x07, 3);
  put_bits(bits, 0, 4);  // original_copy, home, copyright bits
  put_bits(bits, frame_length, 13);
  put_bits(bits, 0x7FF, 11);  // adts_buffer_fullness: variable bit rate
  put_bits(bits, 0, 2);       // one raw data block
  return pack_bits(bits);
}

Bytes build_audio_specific_config(const AudioSpecificConfig& config) {
  std::vector<bool> bits;
  if (config.object_type >= kEscapeObjectType) {
    put_bits(bits, kEscapeObjectType, 5);
    put_bits(bits, static_cast<uint32_t>(config.object_type - 32) & 0x3F, 6);
  } else {
    put_bits(bits, static_cast<uint32_t>(config.object_type) & 0x1F, 5);
  }
  const int index = index_from_sample_rate(config.sample_rate);
  if (index >= 0) {
    put_bits(bits, static_cast<uint32_t>(index), 4);
  } else {
    put_bits(bits, kEscapeSamplingIndex, 4);
    put_bits(bits, static_cast<uint32_t>(config.sample_rate) & 0xFFFFFF, 24);
  }
  put_bits(bits, static_cast<uint32_t>(config.channels) & 0x0F, 4);
  put_bits(bits, 0, 3);  // GASpecificConfig: 1024-sample frames, no core coder, no extension
  return pack_bits(bits);
}

Result<AudioSpecificConfig> parse_audio_specific_config(ByteSpan data) {
  BitReader br(data);
  AudioSpecificConfig c;
  c.object_type = static_cast<int>(br.bits(5));
  if (c.object_type == kEscapeObjectType) c.object_type = 32 + static_cast<int>(br.bits(6));
  c.sampling_index = static_cast<int>(br.bits(4));
  c.sample_rate = (c.sampling_index == kEscapeSamplingIndex) ? static_cast<int>(br.bits(24))
                                                             : sample_rate_from_index(c.sampling_index);
  c.channels = static_cast<int>(br.bits(4));
  if (br.failed()) return parse_error("AudioSpecificConfig truncated");
  if (c.object_type == 0) return parse_error("AudioSpecificConfig object type 0");
  if (c.sample_rate == 0) return parse_error("AudioSpecificConfig has no sample rate");
  if (c.channels > 7) return parse_error("reserved AudioSpecificConfig channel configuration");
  return c;
}

}  // namespace lunora::media::aac
