// Feeds arbitrary bytes to TsDemuxer, once whole and once in chunks sized by the first byte, and remuxes
// every packet it emits so the muxer sees hostile-but-parsed input too.
#include <cstddef>
#include <cstdint>

#include "media/ts/ts_demuxer.hpp"
#include "media/ts/ts_muxer.hpp"

namespace {

class Remuxer : public lunora::media::TsDemuxerCallbacks {
 public:
  void on_media(lunora::media::MediaPacketPtr packet) override {
    out_.clear();
    muxer_.write(*packet, out_);
    if (out_.size() % 188 != 0) __builtin_trap();
  }
  void on_program(const std::vector<lunora::media::TsStreamInfo>&) override {}

 private:
  lunora::media::TsMuxer muxer_;
  lunora::Bytes out_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const lunora::ByteSpan input(data, size);
  {
    Remuxer remuxer;
    lunora::media::TsDemuxer demuxer(remuxer, 1);
    demuxer.feed(input);
    demuxer.flush();
  }
  if (size > 0) {
    Remuxer remuxer;
    lunora::media::TsDemuxer demuxer(remuxer, 1);
    const size_t chunk = size_t{data[0]} + 1;
    for (size_t pos = 0; pos < size; pos += chunk)
      demuxer.feed(input.subspan(pos, std::min(chunk, size - pos)));
    demuxer.flush();
  }
  return 0;
}
