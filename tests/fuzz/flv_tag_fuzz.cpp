// FlvTagParser over one tag body: the first byte picks audio (even) or video (odd), the rest is the body.
#include <cstddef>
#include <cstdint>

#include "media/flv/flv_tag_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  lunora::media::FlvTagParser parser(0);
  const uint8_t tag_type = (data[0] & 1) ? 9 : 8;
  auto result = parser.parse(tag_type, 0x12345678, lunora::ByteSpan(data + 1, size - 1));
  if (result.ok() && result->has_value() && (**result)->payload.size() >= size) __builtin_trap();
  return 0;
}
