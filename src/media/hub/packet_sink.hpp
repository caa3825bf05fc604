// Where an input's packets go: the Hub itself, or something in front of it (the SlateInserter, the
// InputSelector).
#pragma once

#include "media/hub/output.hpp"
#include "media/media_packet.hpp"

namespace lunora::media {

class PacketSink {
 public:
  virtual ~PacketSink() = default;
  // The input's packets, in stream order, from the input's thread.
  virtual void publish(const MediaPacketPtr& packet) = 0;
  // The codecs the input announces (before its configuration packets, e.g. from an MPEG-TS PMT).
  virtual void set_input_codecs(const InputCodecs& codecs) = 0;
  // The input's publisher went away.
  virtual void input_ended() = 0;
};

}  // namespace lunora::media
