// Shared helpers for the MPEG-TS tests: a recording callbacks object and the committed sample stream.
#pragma once

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "media/ts/ts_demuxer.hpp"

namespace lunora::media::test {

inline const char* kSmallTsPath = LUNORA_TESTDATA_DIR "/media/testdata/small.ts";

inline Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class RecordingCallbacks : public TsDemuxerCallbacks {
 public:
  void on_media(MediaPacketPtr packet) override { packets.push_back(std::move(packet)); }
  void on_program(const std::vector<TsStreamInfo>& streams) override { programs.push_back(streams); }

  size_t count(PacketKind kind) const {
    size_t n = 0;
    for (const auto& p : packets) n += p->kind == kind;
    return n;
  }

  std::vector<MediaPacketPtr> packets;
  std::vector<std::vector<TsStreamInfo>> programs;
};

// Demuxes `data` fed in chunks of `chunk` bytes, then flushes.
inline RecordingCallbacks demux(ByteSpan data, size_t chunk, TsDemuxerStats* stats = nullptr) {
  RecordingCallbacks rec;
  TsDemuxer demuxer(rec, 7);
  for (size_t pos = 0; pos < data.size(); pos += chunk) {
    demuxer.feed(data.subspan(pos, std::min(chunk, data.size() - pos)));
  }
  demuxer.flush();
  if (stats) *stats = demuxer.stats();
  return rec;
}

inline bool same_packet(const MediaPacket& a, const MediaPacket& b) {
  return a.kind == b.kind && a.codec == b.codec && a.keyframe == b.keyframe && a.dts == b.dts &&
         a.pts == b.pts && a.epoch == b.epoch && a.payload == b.payload && a.video.width == b.video.width &&
         a.video.height == b.video.height && a.audio.sample_rate == b.audio.sample_rate;
}

}  // namespace lunora::media::test
