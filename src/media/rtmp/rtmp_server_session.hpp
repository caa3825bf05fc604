// Server side of an RTMP publish (the ingest from OBS): handshake, connect, releaseStream/FCPublish,
// createStream, publish, then media. A pure state machine (STYLE.md 3): bytes in through feed(), bytes out
// through take_output(), decisions and media through Callbacks. No socket, no clock.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_io.hpp"
#include "core/result.hpp"
#include "media/rtmp/amf0.hpp"
#include "media/rtmp/rtmp_chunk.hpp"
#include "media/rtmp/rtmp_control.hpp"

namespace lunora::media::rtmp {

class RtmpServerSessionCallbacks {
 public:
  virtual ~RtmpServerSessionCallbacks() = default;
  // A publish request for `app` with stream name `stream_key` (any query string after '?' removed). An Error
  // rejects it: the session sends onStatus NetStream.Publish.BadName (level "error") carrying the message,
  // then closing() becomes true.
  virtual Status on_publish(std::string_view app, std::string_view stream_key) = 0;
  // An audio (8), video (9) or AMF0 data (18) message of the published stream.
  virtual void on_media_message(uint8_t type, uint32_t timestamp_ms, ByteSpan body) = 0;
  // FCUnpublish / deleteStream / closeStream from a live publisher.
  virtual void on_unpublish() = 0;
};

class RtmpServerSession {
 public:
  explicit RtmpServerSession(RtmpServerSessionCallbacks& callbacks);

  // Consumes bytes from the peer. An Error means the connection must be closed (flush take_output() first).
  Status feed(ByteSpan data);
  // Bytes to send to the peer (handshake replies, command results, acknowledgements, ping replies).
  Bytes take_output();
  // True after a rejected publish: flush the output, then close.
  bool closing() const { return closing_; }
  bool publishing() const { return publishing_; }
  const std::string& app() const { return app_; }

 private:
  enum class Phase { kC0C1, kC2, kChunks };
  Status on_message(const RtmpMessage& message);
  Status on_command(const RtmpMessage& message);
  Result<ByteSpan> feed_handshake(ByteSpan data);
  void dispatch_command(uint32_t stream_id, const std::vector<Amf0Value>& values);
  void on_connect(double transaction, const Amf0Value& command_object);
  void on_publish(uint32_t stream_id, const std::string& stream_key);
  void send_command(uint32_t csid, uint32_t stream_id, const std::vector<Amf0Value>& values);
  void maybe_acknowledge();

  RtmpServerSessionCallbacks& callbacks_;
  Phase phase_ = Phase::kC0C1;
  Bytes handshake_buffer_;
  RtmpChunkReader reader_;
  RtmpChunkWriter writer_;
  Bytes output_;
  std::string app_;
  bool publishing_ = false;
  bool closing_ = false;
  AckCounter acks_;  // acknowledges per the peer's Window Ack Size, once it sends one
  uint32_t next_stream_id_ = 1;
  uint32_t publish_stream_id_ = 0;
};

}  // namespace lunora::media::rtmp
