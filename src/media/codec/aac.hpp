// AAC framing: ADTS headers (MPEG-TS carriage) and AudioSpecificConfig (RTMP/FLV and MP4 carriage).
#pragma once

#include <cstdint>

#include "core/byte_io.hpp"
#include "core/result.hpp"

namespace lunora::media::aac {

struct AudioSpecificConfig {
  int object_type = 2;  // 2 = AAC LC
  int sampling_index = 0;
  int sample_rate = 0;
  int channels = 0;  // channel configuration (1..7)
};

struct AdtsHeader {
  AudioSpecificConfig config;
  size_t header_size = 7;   // 7, or 9 with CRC
  size_t frame_length = 0;  // header + payload, from the header
  int raw_blocks = 1;       // number_of_raw_data_blocks_in_frame + 1
};

int sample_rate_from_index(int index);  // 0 for a reserved index
int index_from_sample_rate(int rate);   // -1 for a rate ADTS cannot express

// Parses the ADTS header at the start of `data` (needs at least 7 bytes; checks the syncword and that
// frame_length >= header size).
Result<AdtsHeader> parse_adts_header(ByteSpan data);
Bytes build_adts_header(const AudioSpecificConfig& config, size_t payload_size);

Bytes build_audio_specific_config(const AudioSpecificConfig& config);
Result<AudioSpecificConfig> parse_audio_specific_config(ByteSpan data);

}  // namespace lunora::media::aac
