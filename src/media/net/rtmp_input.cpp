#include "media/net/rtmp_input.hpp"

#include <spdlog/spdlog.h>

#include <array>

#include "core/redact.hpp"
#include "media/flv/flv_tag_parser.hpp"
#include "media/net/asio_helpers.hpp"
#include "media/rtmp/rtmp_server_session.hpp"

namespace lunora::media {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;

constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
constexpr auto kIdleTimeout = std::chrono::seconds(30);  // a publisher sending nothing this long is gone

// Which codec an unsupported FLV tag carries, so outputs can refuse it by name.
Codec unsupported_codec(uint8_t type, ByteSpan body) {
  if (body.empty()) return Codec::kOther;
  if (type == 9) {
    if ((body[0] & 0x80) != 0 && body.size() >= 5) {
      const std::string_view fourcc(reinterpret_cast<const char*>(body.data() + 1), 4);
      if (fourcc == "hvc1") return Codec::kHevc;
      if (fourcc == "av01") return Codec::kAv1;
    }
    if ((body[0] & 0x0F) == 12) return Codec::kHevc;
    return Codec::kOther;
  }
  if ((body[0] >> 4) == 2 || (body[0] >> 4) == 14) return Codec::kMp3;
  return Codec::kOther;
}

}  // namespace

struct RtmpInput::Listener : std::enable_shared_from_this<RtmpInput::Listener> {
  Listener(asio::io_context& io, EndpointUrl url, InputRecorder& recorder)
      : strand(asio::make_strand(io)), acceptor(strand), url(std::move(url)), recorder(recorder) {}

  asio::strand<asio::io_context::executor_type> strand;
  tcp::acceptor acceptor;
  const EndpointUrl url;
  InputRecorder& recorder;
  // Owned by the strand: every connection runs on it.
  bool busy = false;  // a publisher is live
  uint32_t epoch = 0;
  bool stopping = false;
  std::vector<tcp::socket*> connections;

  awaitable<void> accept_loop();
  awaitable<void> serve(tcp::socket socket);
};

// One connection's view of the session: decides on the publish, turns tags into packets.
class PublisherConnection final : public rtmp::RtmpServerSessionCallbacks {
 public:
  PublisherConnection(RtmpInput::Listener& listener, std::string peer)
      : listener_(listener), peer_(std::move(peer)), parser_(0) {}
  ~PublisherConnection() override { end("publisher disconnected"); }

  Status on_publish(std::string_view app, std::string_view key) override {
    if (app != listener_.url.app || key != listener_.url.stream_key) {
      spdlog::warn("event=input_rejected protocol=rtmp peer={} app={} key={} reason=wrong_app_or_key", peer_,
                   std::string(app), stream_key_hint(key));
      return Error(ErrorCode::kPublishRejected, "wrong application or stream key");
    }
    if (listener_.busy) {
      spdlog::warn("event=input_rejected protocol=rtmp peer={} reason=already_publishing", peer_);
      return Error(ErrorCode::kPublishRejected, "another publisher is already live on this input");
    }
    listener_.busy = true;
    publishing_ = true;
    parser_ = FlvTagParser(++listener_.epoch);
    spdlog::info("event=input_connected protocol=rtmp peer={} app={}", peer_, std::string(app));
    listener_.recorder.connected(peer_);
    return ok_status();
  }

  void on_media_message(uint8_t type, uint32_t timestamp_ms, ByteSpan body) override {
    if (!publishing_ || (type != 8 && type != 9)) return;
    auto parsed = parser_.parse(type, timestamp_ms, body);
    if (!parsed) {
      if (parsed.error().code() == ErrorCode::kUnsupportedCodec) {
        (type == 9 ? codecs_.video : codecs_.audio) = unsupported_codec(type, body);
        listener_.recorder.set_codecs(codecs_);
      }
      if (++errors_ <= 3) {
        spdlog::warn("event=input_bad_tag protocol=rtmp peer={} error=\"{}\"", peer_,
                     parsed.error().message());
      }
      return;
    }
    if (!parsed->has_value()) return;
    const MediaPacketPtr& packet = **parsed;
    if (packet->is_config()) {
      (packet->is_video() ? codecs_.video : codecs_.audio) = packet->codec;
      listener_.recorder.set_codecs(codecs_);
    }
    listener_.recorder.publish(packet);
  }

  void on_unpublish() override { end("publisher unpublished"); }

  void end(const std::string& reason) {
    if (!publishing_) return;
    publishing_ = false;
    listener_.busy = false;
    spdlog::info("event=input_disconnected protocol=rtmp peer={} reason=\"{}\"", peer_, reason);
    listener_.recorder.disconnected(reason);
  }

 private:
  RtmpInput::Listener& listener_;
  std::string peer_;
  FlvTagParser parser_;
  InputCodecs codecs_;
  bool publishing_ = false;
  uint64_t errors_ = 0;
};

awaitable<void> RtmpInput::Listener::accept_loop() {
  auto self = shared_from_this();
  while (!stopping) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (stopping) co_return;
      spdlog::warn("event=input_accept_error protocol=rtmp error=\"{}\"", ec.message());
      continue;
    }
    asio::co_spawn(strand, serve(std::move(socket)), asio::detached);
  }
}

awaitable<void> RtmpInput::Listener::serve(tcp::socket socket) {
  auto self = shared_from_this();
  boost::system::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  const std::string peer =
      ec ? "unknown" : remote.address().to_string() + ":" + std::to_string(remote.port());
  connections.push_back(&socket);
  PublisherConnection connection(*this, peer);
  rtmp::RtmpServerSession session(connection);
  std::vector<uint8_t> buffer(16 * 1024);
  std::string reason = "publisher disconnected";
  auto deadline = std::chrono::steady_clock::now() + kHandshakeTimeout;
  while (!stopping) {
    auto n = co_await timed_read(socket, asio::buffer(buffer), deadline);
    if (!n) {
      reason = n.error().message();
      break;
    }
    deadline = std::chrono::steady_clock::now() + (session.publishing() ? kIdleTimeout : kHandshakeTimeout);
    if (session.publishing()) recorder.received_bytes(*n);
    const Status fed = session.feed(ByteSpan(buffer.data(), *n));
    const Bytes out = session.take_output();
    if (!out.empty()) {
      auto written = co_await timed_write(socket, asio::buffer(out), std::chrono::seconds(5));
      if (!written) {
        reason = written.error().message();
        break;
      }
    }
    if (!fed) {
      spdlog::warn("event=input_protocol_error protocol=rtmp peer={} error=\"{}\"", peer,
                   fed.error().message());
      reason = fed.error().message();
      break;
    }
    if (session.closing()) {
      reason = "publish rejected";
      break;
    }
  }
  std::erase(connections, &socket);
  connection.end(reason);
  socket.close(ec);
}

RtmpInput::RtmpInput(asio::io_context& io, EndpointUrl url, InputRecorder& recorder)
    : listener_(std::make_shared<Listener>(io, std::move(url), recorder)) {}

RtmpInput::~RtmpInput() {
  stop();
}

Status RtmpInput::start() {
  const auto& url = listener_->url;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(url.host == "localhost" ? "127.0.0.1" : url.host, ec);
  if (ec) {
    return Error(ErrorCode::kInvalidArgument,
                 "RTMP input: listen address must be an IP address: " + url.host);
  }
  const tcp::endpoint endpoint(address, url.port);
  auto& acceptor = listener_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error(ErrorCode::kIo, "RTMP input: cannot listen on " + url.host + ":" + std::to_string(url.port) +
                                     ": " + ec.message());
  }
  spdlog::info("event=input_listening protocol=rtmp address={}:{} app={} key={}", url.host, url.port, url.app,
               stream_key_hint(url.stream_key));
  asio::co_spawn(listener_->strand, listener_->accept_loop(), asio::detached);
  return ok_status();
}

void RtmpInput::stop() {
  asio::post(listener_->strand, [listener = listener_] {
    if (listener->stopping) return;
    listener->stopping = true;
    boost::system::error_code ignored;
    listener->acceptor.close(ignored);
    for (auto* socket : listener->connections) socket->close(ignored);
  });
}

}  // namespace lunora::media
