#include "media/net/rtmp_ingest_server.hpp"

#include <spdlog/spdlog.h>

#include <map>

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

struct Mount {
  std::string app;
  std::shared_ptr<InputRecorder> recorder;
};

}  // namespace

struct RtmpIngestServer::Listener : std::enable_shared_from_this<RtmpIngestServer::Listener> {
  Listener(asio::io_context& io, std::string host, uint16_t port)
      : strand(asio::make_strand(io)), acceptor(strand), host(std::move(host)), port(port) {}

  asio::strand<asio::io_context::executor_type> strand;
  tcp::acceptor acceptor;
  const std::string host;
  uint16_t port;
  // Owned by the strand: every connection, mount and unmount runs on it.
  bool stopping = false;
  std::map<std::string, Mount> mounts;  // by publish key
  struct Connection {
    tcp::socket* socket = nullptr;
    std::string key;  // the mount it publishes to, "" before publish
  };
  std::vector<Connection*> connections;

  awaitable<void> accept_loop();
  awaitable<void> serve(tcp::socket socket);
};

// One connection's view of the session: decides on the publish, turns tags into packets.
class PublisherConnection final : public rtmp::RtmpServerSessionCallbacks {
 public:
  PublisherConnection(RtmpIngestServer::Listener& listener,
                      RtmpIngestServer::Listener::Connection& connection, std::string peer)
      : listener_(listener), connection_(connection), peer_(std::move(peer)), parser_(0) {}
  ~PublisherConnection() override { end("publisher disconnected"); }

  Status on_publish(std::string_view app, std::string_view key) override {
    auto it = listener_.mounts.find(std::string(key));
    if (it == listener_.mounts.end() || it->second.app != app) {
      spdlog::warn("event=input_rejected protocol=rtmp peer={} app={} key={} reason=wrong_app_or_key", peer_,
                   std::string(app), stream_key_hint(key));
      return Error(ErrorCode::kPublishRejected, "wrong application or stream key");
    }
    if (!it->second.recorder->claim(peer_, "rtmp")) {
      spdlog::warn("event=input_rejected protocol=rtmp peer={} reason=already_publishing", peer_);
      return Error(ErrorCode::kPublishRejected, "another publisher is already live on this input");
    }
    recorder_ = it->second.recorder;
    connection_.key = std::string(key);
    parser_ = FlvTagParser(next_input_epoch());
    spdlog::info("event=input_connected protocol=rtmp peer={} app={} key={}", peer_, std::string(app),
                 stream_key_hint(key));
    return ok_status();
  }

  void on_media_message(uint8_t type, uint32_t timestamp_ms, ByteSpan body) override {
    if (!recorder_ || (type != 8 && type != 9)) return;
    auto parsed = parser_.parse(type, timestamp_ms, body);
    if (!parsed) {
      if (parsed.error().code() == ErrorCode::kUnsupportedCodec) {
        (type == 9 ? codecs_.video : codecs_.audio) = unsupported_codec(type, body);
        recorder_->set_codecs(codecs_);
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
      recorder_->set_codecs(codecs_);
    }
    recorder_->publish(packet);
  }

  void on_unpublish() override { end("publisher unpublished"); }

  void end(const std::string& reason) {
    if (!recorder_) return;
    spdlog::info("event=input_disconnected protocol=rtmp peer={} reason=\"{}\"", peer_, reason);
    recorder_->disconnected(reason);
    recorder_.reset();
    connection_.key.clear();
  }

 private:
  RtmpIngestServer::Listener& listener_;
  RtmpIngestServer::Listener::Connection& connection_;
  std::string peer_;
  std::shared_ptr<InputRecorder> recorder_;  // set while publishing
  FlvTagParser parser_;
  InputCodecs codecs_;
  uint64_t errors_ = 0;
};

awaitable<void> RtmpIngestServer::Listener::accept_loop() {
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

awaitable<void> RtmpIngestServer::Listener::serve(tcp::socket socket) {
  auto self = shared_from_this();
  boost::system::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  const std::string peer =
      ec ? "unknown" : remote.address().to_string() + ":" + std::to_string(remote.port());
  Connection entry{&socket, {}};
  connections.push_back(&entry);
  PublisherConnection connection(*this, entry, peer);
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
    if (session.publishing()) {
      if (auto it = mounts.find(entry.key); it != mounts.end()) it->second.recorder->received_bytes(*n);
    }
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
  std::erase(connections, &entry);
  connection.end(reason);
  socket.close(ec);
}

RtmpIngestServer::RtmpIngestServer(asio::io_context& io, std::string host, uint16_t port)
    : listener_(std::make_shared<Listener>(io, std::move(host), port)) {}

RtmpIngestServer::~RtmpIngestServer() {
  stop();
}

Status RtmpIngestServer::start() {
  auto& l = *listener_;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(l.host == "localhost" ? "127.0.0.1" : l.host, ec);
  if (ec)
    return Error(ErrorCode::kInvalidArgument, "RTMP input: listen address must be an IP address: " + l.host);
  const tcp::endpoint endpoint(address, l.port);
  l.acceptor.open(endpoint.protocol(), ec);
  if (!ec) l.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) l.acceptor.bind(endpoint, ec);
  if (!ec) l.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error(ErrorCode::kIo, "RTMP input: cannot listen on " + l.host + ":" + std::to_string(l.port) +
                                     ": " + ec.message());
  }
  l.port = l.acceptor.local_endpoint(ec).port();
  spdlog::info("event=input_listening protocol=rtmp address={}:{}", l.host, l.port);
  asio::co_spawn(l.strand, l.accept_loop(), asio::detached);
  return ok_status();
}

uint16_t RtmpIngestServer::port() const {
  return listener_->port;
}

void RtmpIngestServer::stop() {
  asio::post(listener_->strand, [listener = listener_] {
    if (listener->stopping) return;
    listener->stopping = true;
    boost::system::error_code ignored;
    listener->acceptor.close(ignored);
    for (auto* connection : listener->connections) connection->socket->close(ignored);
  });
}

void RtmpIngestServer::mount(const std::string& app, const std::string& key,
                             std::shared_ptr<InputRecorder> recorder) {
  asio::post(listener_->strand, [listener = listener_, app, key, recorder = std::move(recorder)]() mutable {
    listener->mounts[key] = Mount{app, std::move(recorder)};
  });
}

void RtmpIngestServer::unmount(const std::string& key, std::function<void()> done) {
  asio::post(listener_->strand, [listener = listener_, key, done = std::move(done)] {
    listener->mounts.erase(key);
    boost::system::error_code ignored;
    // The serve loop ends on the closed socket; PublisherConnection::end() releases the recorder there.
    for (auto* connection : listener->connections) {
      if (connection->key == key) connection->socket->close(ignored);
    }
    if (done) done();
  });
}

}  // namespace lunora::media
