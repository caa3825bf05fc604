// The RTMP "simple" handshake (reference/rtmp-and-platforms.md B.1): C0/S0 = version 3, C1/S1 = 4-byte time,
// 4 zero bytes, 1528 random bytes; C2/S2 echo the peer's C1/S1. No digest: every platform accepts this form.
#pragma once

#include <cstdint>

#include "core/byte_io.hpp"

namespace lunora::media::rtmp {

constexpr uint8_t kRtmpVersion = 3;
constexpr size_t kHandshakePacketSize = 1536;

// Appends a C1/S1 packet: time 0 (the library has no clock; peers ignore it), zeros, then pseudo-random
// bytes from a xorshift seeded with `seed`, so tests are reproducible.
void append_handshake_packet(uint32_t seed, Bytes& out);

}  // namespace lunora::media::rtmp
