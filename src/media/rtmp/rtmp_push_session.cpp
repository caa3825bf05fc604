// Egress side of RTMP publish, in the OBS order (reference/rtmp-and-platforms.md B.2): the order YouTube,
// Twitch and Facebook have seen from millions of clients.
#include "media/rtmp/rtmp_push_session.hpp"

#include <utility>

#include "media/rtmp/rtmp_control.hpp"
#include "media/rtmp/rtmp_handshake.hpp"

namespace lunora::media::rtmp {
namespace {

constexpr size_t kS0S1S2Size = 1 + 2 * kHandshakePacketSize;
constexpr size_t kMaxCommandSize = 64 * 1024;  // commands are small; bounds AMF decoding of hostile input

uint32_t csid_for(uint8_t type) {
  switch (type) {
    case kAudio:
      return kCsidAudio;
    case kVideo:
      return kCsidVideo;
    default:
      return kCsidData;
  }
}

std::string refusal_message(const std::string& command, const std::vector<Amf0Value>& values) {
  const Amf0Value* info = values.size() > 3 ? &values[3] : nullptr;
  std::string code = info != nullptr ? std::string(info->string_at("code").value_or(command)) : command;
  std::string description = info != nullptr ? std::string(info->string_at("description").value_or("")) : "";
  std::string message = "server refused the stream: " + code;
  if (!description.empty()) message += ": " + description;
  return message;
}

}  // namespace

RtmpPushSession::RtmpPushSession(RtmpPushParams params) : params_(std::move(params)) {}

void RtmpPushSession::start() {
  if (state_ != RtmpPushState::kIdle) return;
  put_u8(output_, kRtmpVersion);
  append_handshake_packet(params_.random_seed, output_);
  state_ = RtmpPushState::kHandshake;
}

Bytes RtmpPushSession::take_output() {
  return std::exchange(output_, Bytes());
}

Status RtmpPushSession::feed(ByteSpan data) {
  if (failure_) return *failure_;
  if (state_ == RtmpPushState::kIdle) return Error(ErrorCode::kInternal, "rtmp push: feed before start");
  acks_.add_received(data.size());
  if (state_ == RtmpPushState::kHandshake) data = feed_handshake(data);
  if (state_ != RtmpPushState::kHandshake && !data.empty()) {
    std::vector<RtmpMessage> messages;
    Status status = reader_.feed(data, messages);
    for (size_t i = 0; status && i < messages.size(); ++i) status = on_message(messages[i]);
    if (!status) return fail(status.error());
  }
  acks_.maybe_acknowledge(writer_, output_);
  return ok_status();
}

Status RtmpPushSession::fail(Error error) {
  state_ = RtmpPushState::kFailed;
  failure_ = error;
  return error;
}

// Collects S0S1S2, then answers C2 and opens the connection; returns the bytes after S2.
ByteSpan RtmpPushSession::feed_handshake(ByteSpan data) {
  size_t n = std::min(kS0S1S2Size - handshake_buffer_.size(), data.size());
  handshake_buffer_.insert(handshake_buffer_.end(), data.begin(),
                           data.begin() + static_cast<std::ptrdiff_t>(n));
  if (handshake_buffer_.size() < kS0S1S2Size) return {};
  // Any S0 version and any S1/S2 are accepted, as librtmp does: C2 echoes S1.
  auto s1 = handshake_buffer_.begin() + 1;
  output_.insert(output_.end(), s1, s1 + static_cast<std::ptrdiff_t>(kHandshakePacketSize));
  handshake_buffer_ = Bytes();
  write_control(writer_, kSetChunkSize, params_.chunk_size, output_);
  writer_.set_chunk_size(params_.chunk_size);
  connect_transaction_ = next_transaction_++;
  send_command(kCsidCommand, 0,
               {Amf0Value::of("connect"), Amf0Value::of(connect_transaction_),
                Amf0Value::object({{"app", Amf0Value::of(params_.app)},
                                   {"type", Amf0Value::of("nonprivate")},
                                   {"flashVer", Amf0Value::of("FMLE/3.0 (compatible; Lunora)")},
                                   {"swfUrl", Amf0Value::of(params_.tc_url)},
                                   {"tcUrl", Amf0Value::of(params_.tc_url)}})});
  state_ = RtmpPushState::kConnecting;
  return data.subspan(n);
}

Status RtmpPushSession::on_message(const RtmpMessage& message) {
  const ByteSpan payload(message.payload);
  if (message.header.type == kWindowAckSize) {
    ByteReader r(payload);
    uint32_t window = r.u32();
    if (!r.failed()) acks_.set_window(window);
  } else if (message.header.type == kUserControl) {
    uint32_t timestamp = 0;
    if (is_ping_request(payload, timestamp)) write_user_control(writer_, kPingResponse, timestamp, output_);
  } else if (message.header.type == kCommandAmf0 || message.header.type == kCommandAmf3) {
    return on_command(message);
  }
  return ok_status();  // Set Chunk Size acted in the reader; peer bandwidth and media need nothing
}

Status RtmpPushSession::on_command(const RtmpMessage& message) {
  ByteSpan body(message.payload);
  if (message.header.type == kCommandAmf3 && !body.empty()) body = body.subspan(1);
  if (body.size() > kMaxCommandSize) return Error(ErrorCode::kParse, "rtmp push: command message too large");
  auto decoded = decode_amf0(body);
  if (!decoded) return decoded.error().wrap("rtmp push");
  const std::vector<Amf0Value>& v = *decoded;
  if (v.empty() || v[0].type != Amf0Value::Type::kString) return ok_status();
  const std::string& name = v[0].string;
  double txn = v.size() > 1 && v[1].type == Amf0Value::Type::kNumber ? v[1].number : -1;
  if (name == "_result") return on_result(txn, v);
  if (name == "_error") {
    // _error to releaseStream/FCPublish is an Adobe-era artifact FFmpeg also ignores.
    bool fatal = txn > 0 && (txn == connect_transaction_ || txn == create_stream_transaction_ ||
                             txn == publish_transaction_);
    if (fatal) return Error(ErrorCode::kPublishRejected, refusal_message(name, v));
    return ok_status();
  }
  if (name == "onStatus") {
    const Amf0Value* info = v.size() > 3 ? &v[3] : nullptr;
    if (info != nullptr && info->string_at("level") == "error") {
      return Error(ErrorCode::kPublishRejected, refusal_message(name, v));
    }
    if (info != nullptr && info->string_at("code") == "NetStream.Publish.Start" &&
        state_ == RtmpPushState::kPublishing) {
      state_ = RtmpPushState::kLive;
    }
  }
  return ok_status();  // onBWDone, onFCPublish and other notifications need no answer
}

Status RtmpPushSession::on_result(double txn, const std::vector<Amf0Value>& v) {
  if (state_ == RtmpPushState::kConnecting && txn == connect_transaction_) {
    const Amf0Value key = Amf0Value::of(params_.stream_key);
    send_command(
        kCsidCommand, 0,
        {Amf0Value::of("releaseStream"), Amf0Value::of(next_transaction_++), Amf0Value::null(), key});
    send_command(kCsidCommand, 0,
                 {Amf0Value::of("FCPublish"), Amf0Value::of(next_transaction_++), Amf0Value::null(), key});
    create_stream_transaction_ = next_transaction_++;
    send_command(
        kCsidCommand, 0,
        {Amf0Value::of("createStream"), Amf0Value::of(create_stream_transaction_), Amf0Value::null()});
    state_ = RtmpPushState::kCreating;
  } else if (state_ == RtmpPushState::kCreating && txn == create_stream_transaction_) {
    if (v.size() < 4 || v[3].type != Amf0Value::Type::kNumber || !(v[3].number >= 0 && v[3].number < 4e9)) {
      return Error(ErrorCode::kParse, "rtmp push: createStream result without a stream id");
    }
    stream_id_ = static_cast<uint32_t>(v[3].number);
    publish_transaction_ = next_transaction_++;
    send_command(kCsidPublish, stream_id_,
                 {Amf0Value::of("publish"), Amf0Value::of(publish_transaction_), Amf0Value::null(),
                  Amf0Value::of(params_.stream_key), Amf0Value::of("live")});
    state_ = RtmpPushState::kPublishing;
  }
  return ok_status();
}

void RtmpPushSession::send_command(uint32_t csid, uint32_t stream_id, const std::vector<Amf0Value>& values) {
  write_command(writer_, csid, stream_id, values, output_);
}

void RtmpPushSession::append_media(uint8_t type, uint32_t timestamp_ms, std::span<const ByteSpan> body_parts,
                                   ScatterList& out) const {
  RtmpMessageHeader header;
  header.csid = csid_for(type);
  header.type = type;
  header.timestamp = timestamp_ms;
  header.stream_id = stream_id_;
  writer_.append_message(header, body_parts, out);
}

void RtmpPushSession::append_metadata(const StreamMetadata& m, ScatterList& out) const {
  Amf0Properties p = {{"duration", Amf0Value::of(0.0)}, {"fileSize", Amf0Value::of(0.0)}};
  if (m.has_video) {
    p.emplace_back("width", Amf0Value::of(static_cast<double>(m.width)));
    p.emplace_back("height", Amf0Value::of(static_cast<double>(m.height)));
    p.emplace_back("videocodecid", Amf0Value::of(7.0));
    p.emplace_back("videodatarate", Amf0Value::of(m.video_kbps));
    p.emplace_back("framerate", Amf0Value::of(m.fps));
  }
  if (m.has_audio) {
    p.emplace_back("audiocodecid", Amf0Value::of(10.0));
    p.emplace_back("audiodatarate", Amf0Value::of(m.audio_kbps));
    p.emplace_back("audiosamplerate", Amf0Value::of(static_cast<double>(m.audio_sample_rate)));
    p.emplace_back("audiosamplesize", Amf0Value::of(16.0));
    p.emplace_back("audiochannels", Amf0Value::of(static_cast<double>(m.audio_channels)));
    p.emplace_back("stereo", Amf0Value::of(m.audio_channels == 2));
  }
  p.emplace_back("encoder", Amf0Value::of("Lunora"));
  Bytes body =
      encode_amf0({Amf0Value::of("@setDataFrame"), Amf0Value::of("onMetaData"), Amf0Value::ecma_array(p)});
  RtmpMessageHeader header;
  header.csid = kCsidData;
  header.type = kDataAmf0;
  header.stream_id = stream_id_;
  // The body is generated here, so the whole message lives in the arena rather than pointing at a temporary.
  size_t at = out.arena.size();
  writer_.write_message(header, body, out.arena);
  out.add_arena(at, out.arena.size() - at);
}

Bytes RtmpPushSession::close_messages() {
  Bytes out;
  const Amf0Value key = Amf0Value::of(params_.stream_key);
  write_command(writer_, kCsidCommand, 0,
                {Amf0Value::of("FCUnpublish"), Amf0Value::of(next_transaction_++), Amf0Value::null(), key},
                out);
  write_command(writer_, kCsidCommand, 0,
                {Amf0Value::of("deleteStream"), Amf0Value::of(next_transaction_++), Amf0Value::null(),
                 Amf0Value::of(static_cast<double>(stream_id_))},
                out);
  return out;
}

}  // namespace lunora::media::rtmp
