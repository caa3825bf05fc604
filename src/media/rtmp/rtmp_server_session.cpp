// Ingest side of RTMP publish. The replies follow nginx-rtmp and SRS, which OBS and FFmpeg are tested
// against.
#include "media/rtmp/rtmp_server_session.hpp"

#include <algorithm>

#include "media/rtmp/rtmp_control.hpp"
#include "media/rtmp/rtmp_handshake.hpp"

namespace lunora::media::rtmp {
namespace {

constexpr uint32_t kServerWindow = 2500000;
constexpr uint32_t kServerChunkSize = 4096;
constexpr uint32_t kCsidStatus = kCsidData;  // nginx-rtmp sends onStatus on its AMF chunk stream, 5
// Commands are a few hundred bytes; a cap keeps a hostile 16 MB "command" from becoming gigabytes of values.
constexpr size_t kMaxCommandSize = 64 * 1024;

// "live/?token=x" -> "live": a publisher's app may carry a query and a trailing slash.
std::string strip_query(std::string_view s) {
  return std::string(s.substr(0, s.find('?')));
}

std::string clean_app(std::string_view app) {
  std::string s = strip_query(app);
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

Amf0Value status_object(const char* level, const char* code, std::string description) {
  return Amf0Value::object({{"level", Amf0Value::of(level)},
                            {"code", Amf0Value::of(code)},
                            {"description", Amf0Value::of(std::move(description))}});
}

std::string string_arg(const std::vector<Amf0Value>& values, size_t index) {
  if (index >= values.size() || values[index].type != Amf0Value::Type::kString) return {};
  return values[index].string;
}

}  // namespace

RtmpServerSession::RtmpServerSession(RtmpServerSessionCallbacks& callbacks) : callbacks_(callbacks) {}

Bytes RtmpServerSession::take_output() {
  return std::exchange(output_, Bytes());
}

Status RtmpServerSession::feed(ByteSpan data) {
  if (closing_) return ok_status();
  acks_.add_received(data.size());
  if (phase_ != Phase::kChunks) {
    auto rest = feed_handshake(data);
    if (!rest) return rest.error();
    data = *rest;
  }
  if (phase_ == Phase::kChunks && !data.empty()) {
    std::vector<RtmpMessage> messages;
    auto status = reader_.feed(data, messages);
    if (!status) return status.error().wrap("rtmp ingest");
    for (const auto& message : messages) {
      auto handled = on_message(message);
      if (!handled) return handled.error().wrap("rtmp ingest");
      if (closing_) return ok_status();
    }
  }
  maybe_acknowledge();
  return ok_status();
}

// Consumes handshake bytes; returns what is left over for the chunk reader.
Result<ByteSpan> RtmpServerSession::feed_handshake(ByteSpan data) {
  size_t wanted = (phase_ == Phase::kC0C1 ? 1 : 0) + kHandshakePacketSize;
  size_t n = std::min(wanted - handshake_buffer_.size(), data.size());
  handshake_buffer_.insert(handshake_buffer_.end(), data.begin(),
                           data.begin() + static_cast<std::ptrdiff_t>(n));
  data = data.subspan(n);
  if (handshake_buffer_.size() < wanted) return ByteSpan();
  if (phase_ == Phase::kC2) {
    handshake_buffer_.clear();
    phase_ = Phase::kChunks;
    return data;
  }
  if (handshake_buffer_[0] != kRtmpVersion) {
    return Error(ErrorCode::kParse,
                 "rtmp ingest: unsupported handshake version " + std::to_string(handshake_buffer_[0]));
  }
  put_u8(output_, kRtmpVersion);
  append_handshake_packet(0x4C554E4F, output_);
  output_.insert(output_.end(), handshake_buffer_.begin() + 1, handshake_buffer_.end());
  handshake_buffer_.clear();
  phase_ = Phase::kC2;
  return feed_handshake(data);
}

Status RtmpServerSession::on_message(const RtmpMessage& message) {
  const ByteSpan payload(message.payload);
  switch (message.header.type) {
    case kWindowAckSize: {
      ByteReader r(payload);
      uint32_t window = r.u32();
      if (!r.failed()) acks_.set_window(window);
      return ok_status();
    }
    case kUserControl: {
      uint32_t timestamp = 0;
      if (is_ping_request(payload, timestamp)) write_user_control(writer_, kPingResponse, timestamp, output_);
      return ok_status();
    }
    case kCommandAmf3:
    case kCommandAmf0:
      return on_command(message);
    case kAudio:
    case kVideo:
    case kDataAmf0:
      if (publishing_ && message.header.stream_id == publish_stream_id_) {
        callbacks_.on_media_message(message.header.type, message.header.timestamp, payload);
      }
      return ok_status();
    default:
      return ok_status();  // Set Chunk Size and Abort acted in the reader; acks and bandwidth need nothing
  }
}

Status RtmpServerSession::on_command(const RtmpMessage& message) {
  ByteSpan body(message.payload);
  // An AMF3 command message is a format byte (0) followed by AMF0 values.
  if (message.header.type == kCommandAmf3 && !body.empty()) body = body.subspan(1);
  if (body.size() > kMaxCommandSize) return Error(ErrorCode::kParse, "command message too large");
  auto values = decode_amf0(body);
  if (!values) return values.error().wrap("command");
  if (values->empty() || (*values)[0].type != Amf0Value::Type::kString) return ok_status();
  dispatch_command(message.header.stream_id, *values);
  return ok_status();
}

void RtmpServerSession::dispatch_command(uint32_t stream_id, const std::vector<Amf0Value>& v) {
  const std::string& name = v[0].string;
  double txn = v.size() > 1 && v[1].type == Amf0Value::Type::kNumber ? v[1].number : 0;
  if (name == "connect") {
    on_connect(txn, v.size() > 2 ? v[2] : Amf0Value::null());
  } else if (name == "releaseStream") {
    send_command(kCsidCommand, 0, {Amf0Value::of("_result"), Amf0Value::of(txn), Amf0Value::null()});
  } else if (name == "FCPublish") {
    send_command(kCsidCommand, 0,
                 {Amf0Value::of("onFCPublish"), Amf0Value::of(0.0), Amf0Value::null(),
                  Amf0Value::object({{"code", Amf0Value::of("NetStream.Publish.Start")},
                                     {"description", Amf0Value::of(string_arg(v, 3))}})});
  } else if (name == "createStream") {
    double id = next_stream_id_++;
    send_command(kCsidCommand, 0,
                 {Amf0Value::of("_result"), Amf0Value::of(txn), Amf0Value::null(), Amf0Value::of(id)});
  } else if (name == "publish") {
    on_publish(stream_id, strip_query(string_arg(v, 3)));
  } else if (name == "FCUnpublish" || name == "deleteStream" || name == "closeStream") {
    if (publishing_) {
      publishing_ = false;
      callbacks_.on_unpublish();
    }
  }
  // _checkbw, getStreamLength and other commands need no answer.
}

void RtmpServerSession::on_connect(double txn, const Amf0Value& command_object) {
  app_ = clean_app(command_object.string_at("app").value_or(""));
  write_control(writer_, kWindowAckSize, kServerWindow, output_);
  write_set_peer_bandwidth(writer_, kServerWindow, output_);
  write_control(writer_, kSetChunkSize, kServerChunkSize, output_);
  writer_.set_chunk_size(kServerChunkSize);
  Amf0Value properties =
      Amf0Value::object({{"fmsVer", Amf0Value::of("FMS/3,0,1,123")}, {"capabilities", Amf0Value::of(31.0)}});
  Amf0Value information = status_object("status", "NetConnection.Connect.Success", "Connection succeeded.");
  information.properties.emplace_back("objectEncoding", Amf0Value::of(0.0));
  send_command(kCsidCommand, 0, {Amf0Value::of("_result"), Amf0Value::of(txn), properties, information});
}

void RtmpServerSession::on_publish(uint32_t stream_id, const std::string& stream_key) {
  if (publishing_) return;
  auto accepted = callbacks_.on_publish(app_, stream_key);
  if (!accepted) {
    send_command(kCsidStatus, stream_id,
                 {Amf0Value::of("onStatus"), Amf0Value::of(0.0), Amf0Value::null(),
                  status_object("error", "NetStream.Publish.BadName", accepted.error().message())});
    closing_ = true;
    return;
  }
  publishing_ = true;
  publish_stream_id_ = stream_id;
  write_user_control(writer_, kStreamBegin, stream_id, output_);
  send_command(kCsidStatus, stream_id,
               {Amf0Value::of("onStatus"), Amf0Value::of(0.0), Amf0Value::null(),
                status_object("status", "NetStream.Publish.Start", stream_key + " is now published.")});
}

void RtmpServerSession::send_command(uint32_t csid, uint32_t stream_id,
                                     const std::vector<Amf0Value>& values) {
  write_command(writer_, csid, stream_id, values, output_);
}

void RtmpServerSession::maybe_acknowledge() {
  acks_.maybe_acknowledge(writer_, output_);
}

}  // namespace lunora::media::rtmp
