#include "media/rtmp/rtmp_control.hpp"

namespace lunora::media::rtmp {
namespace {

RtmpMessageHeader control_header(MessageType type) {
  RtmpMessageHeader h;
  h.csid = kCsidControl;
  h.type = type;
  return h;
}

}  // namespace

void write_control(const RtmpChunkWriter& writer, MessageType type, uint32_t value, Bytes& out) {
  Bytes body;
  put_u32(body, value);
  writer.write_message(control_header(type), body, out);
}

void write_set_peer_bandwidth(const RtmpChunkWriter& writer, uint32_t window, Bytes& out) {
  Bytes body;
  put_u32(body, window);
  put_u8(body, 2);
  writer.write_message(control_header(kSetPeerBandwidth), body, out);
}

void write_user_control(const RtmpChunkWriter& writer, UserControlEvent event, uint32_t value, Bytes& out) {
  Bytes body;
  put_u16(body, event);
  put_u32(body, value);
  writer.write_message(control_header(kUserControl), body, out);
}

void write_command(const RtmpChunkWriter& writer, uint32_t csid, uint32_t stream_id,
                   const std::vector<Amf0Value>& values, Bytes& out) {
  RtmpMessageHeader h;
  h.csid = csid;
  h.type = kCommandAmf0;
  h.stream_id = stream_id;
  writer.write_message(h, encode_amf0(values), out);
}

void AckCounter::maybe_acknowledge(const RtmpChunkWriter& writer, Bytes& out) {
  if (window_ == 0 || received_ - last_ack_at_ < window_) return;
  last_ack_at_ = received_;
  // The sequence number is the byte count modulo 2^32 (it wraps on long sessions).
  write_control(writer, kAcknowledgement, static_cast<uint32_t>(received_), out);
}

bool is_ping_request(ByteSpan payload, uint32_t& timestamp) {
  ByteReader r(payload);
  uint16_t event = r.u16();
  timestamp = r.u32();
  return !r.failed() && event == kPingRequest;
}

}  // namespace lunora::media::rtmp
