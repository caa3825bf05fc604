// AMF0 decoder fuzz target: any input either fails cleanly or decodes to values that re-encode to a decodable
// sequence of the same length.
#include <cstddef>
#include <cstdint>

#include "media/rtmp/amf0.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lunora::media::rtmp;
  auto values = decode_amf0(lunora::ByteSpan(data, size));
  if (!values) return 0;
  auto again = decode_amf0(encode_amf0(*values));
  if (!again || again->size() != values->size()) __builtin_trap();
  return 0;
}
