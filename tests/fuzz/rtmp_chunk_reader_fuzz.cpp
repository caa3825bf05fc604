// Chunk reader fuzz target. The first byte picks the feed size, so the same chunks are also parsed across
// arbitrary feed boundaries (the path one-byte-at-a-time delivery takes).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "media/rtmp/rtmp_chunk.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lunora::media::rtmp;
  if (size == 0) return 0;
  size_t step = data[0] == 0 ? size : data[0];
  lunora::ByteSpan rest(data + 1, size - 1);
  RtmpChunkReader reader({.max_message_size = 1 << 20, .max_chunk_streams = 16});
  std::vector<RtmpMessage> messages;
  while (!rest.empty()) {
    size_t n = std::min(step, rest.size());
    if (!reader.feed(rest.first(n), messages)) break;
    rest = rest.subspan(n);
  }
  for (const auto& m : messages) {
    if (m.payload.size() != m.header.length) __builtin_trap();
  }
  return 0;
}
