// SPS parsing, AVCDecoderConfigurationRecord parsing (and rebuilding what parsed) and NAL unit splitting.
#include <cstddef>
#include <cstdint>

#include "media/codec/h264.hpp"

using namespace lunora::media;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const lunora::ByteSpan input(data, size);
  if (auto sps = h264::parse_sps(input); sps.ok() && (sps->width <= 0 || sps->height <= 0)) __builtin_trap();
  if (auto config = h264::parse_avc_decoder_config(input); config.ok()) {
    // What parsed must rebuild into a record that parses to the same parameter sets.
    auto again = h264::parse_avc_decoder_config(h264::build_avc_decoder_config(*config));
    if (!again.ok() || again->sps != config->sps || again->pps != config->pps) __builtin_trap();
  }
  if (auto nals = h264::split_avcc(input); nals.ok()) {
    for (lunora::ByteSpan nal : *nals) {
      if (nal.data() < data || nal.data() + nal.size() > data + size) __builtin_trap();
    }
  }
  for (lunora::ByteSpan nal : h264::split_annexb(input)) {
    if (nal.empty() || nal.data() < data || nal.data() + nal.size() > data + size) __builtin_trap();
  }
  return 0;
}
