#include "media/rtmp/rtmp_handshake.hpp"

namespace lunora::media::rtmp {

void append_handshake_packet(uint32_t seed, Bytes& out) {
  put_u32(out, 0);
  put_u32(out, 0);
  uint32_t x = seed != 0 ? seed : 0x9E3779B9u;  // xorshift32 has a fixed point at 0
  for (size_t i = 8; i < kHandshakePacketSize; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    out.push_back(static_cast<uint8_t>(x));
  }
}

}  // namespace lunora::media::rtmp
