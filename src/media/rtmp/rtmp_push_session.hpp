// Client side of an RTMP publish (Lunora pushing to YouTube, Twitch, nginx-rtmp, ...): the OBS sequence of
// reference/rtmp-and-platforms.md B.2. A pure state machine: bytes in through feed(), control bytes out
// through take_output(); media messages are framed into a caller's ScatterList so payloads are never copied.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/byte_io.hpp"
#include "core/result.hpp"
#include "media/media_packet.hpp"
#include "media/rtmp/amf0.hpp"
#include "media/rtmp/rtmp_chunk.hpp"
#include "media/rtmp/rtmp_control.hpp"

namespace lunora::media::rtmp {

struct RtmpPushParams {
  std::string app;         // e.g. "live2" (may carry a query such as "live2?backup=1")
  std::string tc_url;      // "rtmp://host[:port]/app"
  std::string stream_key;  // the publish name
  uint32_t chunk_size = 4096;
  uint32_t random_seed = 0;  // for the C1 random bytes (tests pass a fixed seed)
};

enum class RtmpPushState {
  kIdle,        // start() not called
  kHandshake,   // C0C1 sent, waiting for S0S1S2
  kConnecting,  // connect sent, waiting for _result
  kCreating,    // createStream sent
  kPublishing,  // publish sent, waiting for NetStream.Publish.Start
  kLive,        // media may flow
  kFailed,      // see feed()'s Error
};

struct StreamMetadata {
  int width = 0;
  int height = 0;
  double fps = 0;
  double video_kbps = 0;
  int audio_sample_rate = 0;
  int audio_channels = 0;
  double audio_kbps = 0;
  bool has_video = true;
  bool has_audio = true;
};

class RtmpPushSession {
 public:
  explicit RtmpPushSession(RtmpPushParams params);

  // Queues C0+C1.
  void start();
  // Consumes server bytes and advances the state: after S0S1S2 sends C2, Set Chunk Size, connect; after the
  // connect _result sends releaseStream, FCPublish, createStream; after its _result sends publish(key,
  // "live"). Answers pings, acknowledges per the server's window, honours the server's Set Chunk Size.
  // Errors: kPublishRejected for an onStatus/_error of level "error" on connect or publish (message names the
  // server's code and description), kParse for malformed bytes. _error replies to releaseStream/FCPublish are
  // ignored.
  Status feed(ByteSpan data);
  Bytes take_output();
  RtmpPushState state() const { return state_; }
  uint32_t stream_id() const { return stream_id_; }

  // Media, valid in kLive: frames one message (type 8/9 with the FLV tag body given as parts, or metadata) on
  // this connection's stream at `timestamp_ms` (the destination's own clock).
  void append_media(uint8_t type, uint32_t timestamp_ms, std::span<const ByteSpan> body_parts,
                    ScatterList& out) const;
  // "@setDataFrame" "onMetaData" as OBS sends it (duration 0, width, height, videocodecid 7, framerate, ...).
  void append_metadata(const StreamMetadata& metadata, ScatterList& out) const;
  // FCUnpublish + deleteStream, for a clean close; then the caller closes the socket.
  Bytes close_messages();

 private:
  Status on_message(const RtmpMessage& message);
  Status on_command(const RtmpMessage& message);
  Status on_result(double transaction, const std::vector<Amf0Value>& values);
  ByteSpan feed_handshake(ByteSpan data);
  Status fail(Error error);
  void send_command(uint32_t csid, uint32_t stream_id, const std::vector<Amf0Value>& values);

  RtmpPushParams params_;
  RtmpPushState state_ = RtmpPushState::kIdle;
  Bytes handshake_buffer_;
  RtmpChunkReader reader_;
  RtmpChunkWriter writer_;
  Bytes output_;
  uint32_t stream_id_ = 0;
  double next_transaction_ = 1;
  double connect_transaction_ = 0;
  double create_stream_transaction_ = 0;
  double publish_transaction_ = 0;
  AckCounter acks_;  // acknowledges per the server's Window Ack Size
  std::optional<Error> failure_;
};

}  // namespace lunora::media::rtmp
