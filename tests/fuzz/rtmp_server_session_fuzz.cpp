// Ingest session fuzz target. If the first byte is even the target performs a valid client handshake first,
// so the fuzzer spends its bytes on chunks and commands; odd first bytes fuzz the handshake too.
#include <cstddef>
#include <cstdint>

#include "media/rtmp/rtmp_handshake.hpp"
#include "media/rtmp/rtmp_server_session.hpp"

namespace {

class AcceptAll : public lunora::media::rtmp::RtmpServerSessionCallbacks {
 public:
  lunora::Status on_publish(std::string_view, std::string_view) override { return lunora::ok_status(); }
  void on_media_message(uint8_t, uint32_t, lunora::ByteSpan) override {}
  void on_unpublish() override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lunora::media::rtmp;
  if (size == 0) return 0;
  AcceptAll callbacks;
  RtmpServerSession session(callbacks);
  if (data[0] % 2 == 0) {
    lunora::Bytes handshake = {kRtmpVersion};
    append_handshake_packet(1, handshake);
    append_handshake_packet(2, handshake);
    if (!session.feed(handshake)) __builtin_trap();
  }
  (void)session.feed(lunora::ByteSpan(data + 1, size - 1));
  (void)session.take_output();
  return 0;
}
