// ADTS headers and AudioSpecificConfigs: parse, and check what parsed survives a build/parse round trip.
#include <cstddef>
#include <cstdint>

#include "media/codec/aac.hpp"

using namespace lunora::media;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const lunora::ByteSpan input(data, size);
  if (auto h = aac::parse_adts_header(input); h.ok()) {
    auto again = aac::parse_adts_header(aac::build_adts_header(h->config, h->frame_length - h->header_size));
    if (!again.ok() || again->config.sample_rate != h->config.sample_rate ||
        again->config.channels != h->config.channels || again->config.object_type != h->config.object_type) {
      __builtin_trap();
    }
  }
  if (auto asc = aac::parse_audio_specific_config(input); asc.ok()) {
    auto again = aac::parse_audio_specific_config(aac::build_audio_specific_config(*asc));
    if (!again.ok() || again->sample_rate != asc->sample_rate || again->channels != asc->channels ||
        again->object_type != asc->object_type) {
      __builtin_trap();
    }
  }
  return 0;
}
