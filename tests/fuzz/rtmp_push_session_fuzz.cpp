// Publish client fuzz target, after start(). If the first byte is even the target supplies a valid S0S1S2
// first, so the fuzzer spends its bytes on the server's chunks and command replies.
#include <cstddef>
#include <cstdint>

#include "media/rtmp/rtmp_handshake.hpp"
#include "media/rtmp/rtmp_push_session.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lunora::media::rtmp;
  if (size == 0) return 0;
  RtmpPushSession session({.app = "live", .tc_url = "rtmp://h/live", .stream_key = "key", .random_seed = 3});
  session.start();
  if (data[0] % 2 == 0) {
    lunora::Bytes handshake = {kRtmpVersion};
    append_handshake_packet(1, handshake);
    append_handshake_packet(2, handshake);
    if (!session.feed(handshake)) __builtin_trap();
  }
  (void)session.feed(lunora::ByteSpan(data + 1, size - 1));
  (void)session.take_output();
  if (session.state() == RtmpPushState::kLive) {
    lunora::Bytes body(5000, 0x17);
    lunora::ByteSpan part(body);
    lunora::media::rtmp::ScatterList list;
    session.append_media(kVideo, 0x1000000, std::span(&part, 1), list);
    if (list.flatten().size() != list.total_size) __builtin_trap();
  }
  return 0;
}
