// A rendition's audio when its bitrate differs from the input's (issue 9): AAC decoded and encoded again
// (FFmpeg's AAC encoder) at the rendition's bitrate, same sample rate and channels. Packets in, packets out,
// on the rendition's thread, on the input's timeline.
#pragma once

#include <functional>
#include <memory>

#include "core/result.hpp"
#include "media/media_packet.hpp"

namespace lunora::media {

class AudioTranscoder {
 public:
  using Emit = std::function<void(MediaPacket)>;

  // `bitrate_kbps`: 32 to 512.
  static Result<std::unique_ptr<AudioTranscoder>> create(int bitrate_kbps);
  ~AudioTranscoder();
  AudioTranscoder(const AudioTranscoder&) = delete;
  AudioTranscoder& operator=(const AudioTranscoder&) = delete;

  // An AAC config (the codecs open again when it changes) or a raw AAC frame. A frame the decoder refuses is
  // skipped and counted.
  Status push(const MediaPacket& packet, const Emit& emit);
  uint64_t frames_encoded() const { return frames_encoded_; }
  uint64_t decode_errors() const { return decode_errors_; }

 private:
  struct Codecs;
  explicit AudioTranscoder(int bitrate_kbps);
  Status open(const MediaPacket& config);
  Status drain(uint32_t epoch, const Emit& emit);

  const int bitrate_kbps_;
  std::unique_ptr<Codecs> av_;
  Bytes input_config_;
  int sample_rate_ = 0;
  bool config_sent_ = false;
  uint64_t frames_encoded_ = 0;
  uint64_t decode_errors_ = 0;
};

}  // namespace lunora::media
