// What the Hub sees of an output (STYLE.md 8): offer() can only enqueue into the output's own bounded queue
// and cannot fail back into the Hub, so no output can stall the input or another output.
#pragma once

#include "media/media_packet.hpp"

namespace lunora::media {

struct InputCodecs {
  Codec video = Codec::kUnknown;  // kUnknown: no such track (yet)
  Codec audio = Codec::kUnknown;
  bool operator==(const InputCodecs&) const = default;
};

class Output {
 public:
  virtual ~Output() = default;
  // Called with the Hub's lock held, from the input's thread: enqueue and wake the sender, nothing else.
  virtual void offer(const MediaPacketPtr& packet) = 0;
  // The codecs the input carries, when first known and whenever they change (same rules as offer()).
  virtual void on_input_codecs(const InputCodecs& codecs) = 0;
};

}  // namespace lunora::media
