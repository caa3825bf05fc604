// Builders for the protocol control messages (types 1-6) both sessions send, and the command framing they
// share. Control messages go on chunk stream 2, message stream 0.
#pragma once

#include <cstdint>
#include <vector>

#include "core/byte_io.hpp"
#include "media/rtmp/amf0.hpp"
#include "media/rtmp/rtmp_chunk.hpp"

namespace lunora::media::rtmp {

enum UserControlEvent : uint16_t { kStreamBegin = 0, kPingRequest = 6, kPingResponse = 7 };

// Appends one control message of `type` with a 4-byte big-endian `value` (Set Chunk Size, Abort,
// Acknowledgement, Window Ack Size).
void write_control(const RtmpChunkWriter& writer, MessageType type, uint32_t value, Bytes& out);
// Set Peer Bandwidth with limit type 2 (dynamic).
void write_set_peer_bandwidth(const RtmpChunkWriter& writer, uint32_t window, Bytes& out);
void write_user_control(const RtmpChunkWriter& writer, UserControlEvent event, uint32_t value, Bytes& out);
void write_command(const RtmpChunkWriter& writer, uint32_t csid, uint32_t stream_id,
                   const std::vector<Amf0Value>& values, Bytes& out);

// Tracks received bytes against the peer's window and emits Acknowledgement messages.
class AckCounter {
 public:
  void set_window(uint32_t window) { window_ = window; }
  void add_received(size_t n) { received_ += n; }
  // Appends an Acknowledgement when a full window arrived since the last one (none before a window is set).
  void maybe_acknowledge(const RtmpChunkWriter& writer, Bytes& out);

 private:
  uint32_t window_ = 0;
  uint64_t received_ = 0;
  uint64_t last_ack_at_ = 0;
};

// True for a User Control ping request; `timestamp` receives the value to echo in the ping response.
bool is_ping_request(ByteSpan payload, uint32_t& timestamp);

}  // namespace lunora::media::rtmp
