// Where an input's packets go: the Hub itself, or something in front of it (the SlateInserter).
#pragma once

#include "media/media_packet.hpp"

namespace lunora::media {

class PacketSink {
 public:
  virtual ~PacketSink() = default;
  // The input's packets, in stream order, from the input's thread.
  virtual void publish(const MediaPacketPtr& packet) = 0;
};

}  // namespace lunora::media
