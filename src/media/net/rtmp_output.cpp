#include "media/net/rtmp_output.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl.hpp>
#include <optional>

#include "media/hub/output_clock.hpp"
#include "media/net/asio_helpers.hpp"
#include "media/rtmp/rtmp_push_session.hpp"

namespace lunora::media {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using asio::awaitable;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

constexpr size_t kReadBufferSize = 4096;  // a server sends little: acks, pings, command replies
constexpr auto kRejectedAfterStartWindow = std::chrono::seconds(2);
constexpr auto kWriteInterval = std::chrono::milliseconds(50);  // 1.5 frames at 30 fps

class RtmpOutput final : public NetworkOutput, public std::enable_shared_from_this<RtmpOutput> {
 public:
  RtmpOutput(asio::io_context& io, EndpointUrl url, OutputOptions options, std::shared_ptr<ssl::context> tls)
      : strand_(asio::make_strand(io)),
        url_(std::move(url)),
        options_(options),
        tls_(std::move(tls)),
        backoff_(options.backoff, reinterpret_cast<uintptr_t>(this)),
        queue_(options.queue),
        wake_(strand_),
        pace_timer_(strand_),
        retry_timer_(strand_) {}

  void start() override {
    asio::co_spawn(
        strand_, [self = shared_from_this()] { return self->run(); }, asio::detached);
  }

  void stop(std::function<void()> done) override {
    asio::post(strand_, [self = shared_from_this(), done = std::move(done)]() mutable {
      self->stop_done_ = std::move(done);
      self->stopping_ = true;
      // A live connection closes properly (FCUnpublish + deleteStream); anything else is simply cut.
      if (self->state() != OutputState::kLive) self->cancel_connection();
      self->set_state(OutputState::kStopping);
      self->wake_.cancel();
      self->pace_timer_.cancel();
      self->retry_timer_.cancel();
    });
  }

  OutputStats stats() const override {
    std::lock_guard lock(stats_mutex_);
    OutputStats s = stats_;
    std::lock_guard qlock(queue_mutex_);
    s.dropped_packets = queue_.dropped_packets();
    return s;
  }

  const std::string& redacted_url() const override { return url_.redacted; }

  void offer(const MediaPacketPtr& packet) override {
    {
      std::lock_guard lock(queue_mutex_);
      if (packet->kind == PacketKind::kVideoConfig) latest_video_config_ = packet;
      if (packet->kind == PacketKind::kAudioConfig) latest_audio_config_ = packet;
      queue_.push(packet);
    }
    wake_writer();
  }

  void on_input_codecs(const InputCodecs& codecs) override {
    std::string error;
    if (codecs.video != Codec::kUnknown && codecs.video != Codec::kH264) {
      error = "the input's video codec " + std::string(codec_name(codecs.video)) +
              " cannot be sent over RTMP (H.264 only); re-encode the input as H.264";
    } else if (codecs.audio != Codec::kUnknown && codecs.audio != Codec::kAac) {
      error = "the input's audio codec " + std::string(codec_name(codecs.audio)) +
              " cannot be sent over RTMP (AAC only); re-encode the input's audio as AAC";
    }
    asio::post(strand_, [self = shared_from_this(), error = std::move(error)] {
      self->codec_error_ = error;
      if (!error.empty()) self->cancel_connection();
      self->wake_.cancel();
      self->retry_timer_.cancel();
    });
  }

 private:
  // --- state and stats (written on the strand, read anywhere) ---
  OutputState state() const {
    std::lock_guard lock(stats_mutex_);
    return stats_.state;
  }
  void set_state(OutputState state) {
    std::lock_guard lock(stats_mutex_);
    stats_.state = state;
    if (state == OutputState::kLive) stats_.live_since = std::chrono::steady_clock::now();
  }
  void record_failure(const Error& error, std::chrono::milliseconds retry_in) {
    std::lock_guard lock(stats_mutex_);
    stats_.last_error = error.message();
    stats_.last_error_code = std::string(error_code_name(error.code()));
    stats_.next_retry_in = retry_in;
  }

  // Only an idle writer needs a wake-up; a busy one takes the queue on its next turn.
  void wake_writer() {
    if (!writer_idle_.exchange(false)) return;
    asio::post(strand_, [self = shared_from_this()] { self->wake_.cancel(); });
  }

  void cancel_connection() {
    if (socket_ != nullptr) {
      boost::system::error_code ignored;
      socket_->cancel(ignored);
      socket_->close(ignored);
    }
  }

  // --- the reconnect loop ---
  awaitable<void> run() {
    bool first = true;
    while (!stopping_) {
      if (!codec_error_.empty()) {
        set_state(OutputState::kFailed);
        record_failure(Error(ErrorCode::kUnsupportedCodec, codec_error_), std::chrono::milliseconds(0));
        spdlog::error("event=output_failed url={} reason=unsupported_codec error=\"{}\"", url_.redacted,
                      codec_error_);
        co_await wait_forever(wake_);
        continue;
      }
      if (!first) {
        std::lock_guard lock(stats_mutex_);
        ++stats_.reconnects;
      }
      first = false;
      went_live_ = false;
      const Status status = co_await attempt();
      {
        std::lock_guard lock(queue_mutex_);
        queue_.set_gop_only(true);
      }
      if (stopping_) break;
      // A connection that really streamed starts the backoff over; one refused right after the publish (the
      // key checked late) does not, or a wrong key would be retried several times a second.
      if (went_live_ && (status || status.error().code() != ErrorCode::kPublishRejected)) backoff_.reset();
      const auto delay = backoff_.next();
      const Error error = status ? Error(ErrorCode::kClosed, "connection closed") : status.error();
      record_failure(error, delay);
      set_state(OutputState::kRetrying);
      spdlog::warn("event=output_error url={} reason={} error=\"{}\" retry_in_ms={}", url_.redacted,
                   error_code_name(error.code()), error.message(), delay.count());
      retry_timer_.expires_after(delay);
      co_await retry_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    set_state(OutputState::kStopped);
    spdlog::info("event=output_stopped url={}", url_.redacted);
    if (auto done = std::move(stop_done_); done) done();
  }

  awaitable<Status> attempt() {
    set_state(OutputState::kConnecting);
    tcp::socket socket(strand_);
    socket_ = &socket;
    struct Reset {
      tcp::socket*& ref;
      ~Reset() { ref = nullptr; }
    } reset{socket_};

    auto connected = co_await connect_tcp(socket, url_.host, url_.port, options_.connect_timeout);
    if (!connected) co_return connected.error();
    socket.set_option(tcp::no_delay(true));
    if (url_.scheme != EndpointUrl::Scheme::kRtmps) co_return co_await publish_and_stream(socket);

    ssl::stream<tcp::socket> tls(std::move(socket), *tls_);
    socket_ = &tls.next_layer();
    if (auto st = co_await tls_handshake(tls, url_.host, options_.insecure_tls, options_.handshake_timeout);
        !st) {
      co_return st.error();
    }
    Status result = co_await publish_and_stream(tls);
    co_await tls_shutdown(tls, std::chrono::milliseconds(1000));
    co_return result;
  }

  template <typename Stream>
  awaitable<Status> publish_and_stream(Stream& stream) {
    rtmp::RtmpPushSession session({.app = url_.app,
                                   .tc_url = url_.tc_url,
                                   .stream_key = url_.stream_key,
                                   .chunk_size = 4096,
                                   .random_seed = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(this))});
    session.start();
    set_state(OutputState::kPublishing);
    if (auto st = co_await handshake(stream, session); !st) co_return st;
    went_live_ = true;
    set_state(OutputState::kLive);
    spdlog::info("event=output_live url={}", url_.redacted);
    {
      std::lock_guard lock(queue_mutex_);
      queue_.set_gop_only(false);
    }
    OutputClock clock;
    sent_video_config_ = nullptr;
    sent_audio_config_ = nullptr;
    metadata_sent_ = false;
    const auto live_at = std::chrono::steady_clock::now();
    write_started_.reset();
    auto result =
        co_await (read_loop(stream, session) || write_loop(stream, session, clock) || write_watchdog());
    Status status = std::visit([](auto&& s) -> Status { return s; }, result);
    if (!status && status.error().code() == ErrorCode::kClosed &&
        std::chrono::steady_clock::now() - live_at < kRejectedAfterStartWindow) {
      // Some servers (nginx-rtmp's `deny publish`, platforms checking the key late) accept the publish, then
      // hang up at once: for a person that is a refused stream, not a network drop.
      status = Error(
          ErrorCode::kPublishRejected,
          "the server refused the stream: check the stream key (closed right after accepting the publish)");
    }
    if (stopping_ && status) {
      // A proper close: FCUnpublish + deleteStream, then the socket.
      const Bytes bye = session.close_messages();
      const asio::const_buffer bye_buffer = asio::buffer(bye);
      co_await timed_write(stream, bye_buffer, std::chrono::milliseconds(1000));
    }
    co_return status;
  }

  // Connect, createStream, publish: until NetStream.Publish.Start or a failure, within the handshake timeout.
  template <typename Stream>
  awaitable<Status> handshake(Stream& stream, rtmp::RtmpPushSession& session) {
    std::vector<uint8_t> buffer(kReadBufferSize);
    const auto deadline = std::chrono::steady_clock::now() + options_.handshake_timeout;
    while (session.state() != rtmp::RtmpPushState::kLive) {
      const Bytes out = session.take_output();
      if (!out.empty()) {
        const asio::const_buffer out_buffer = asio::buffer(out);
        auto st = co_await timed_write(stream, out_buffer, options_.write_timeout);
        if (!st) co_return st.error().wrap("rtmp handshake");
      }
      auto n = co_await timed_read(stream, asio::buffer(buffer), deadline);
      if (!n) co_return classify_handshake_failure(n.error(), session.state());
      if (auto st = session.feed(ByteSpan(buffer.data(), *n)); !st) co_return st.error();
      if (stopping_) co_return Error(ErrorCode::kClosed, "stopped");
    }
    co_return ok_status();
  }

  static Error classify_handshake_failure(const Error& error, rtmp::RtmpPushState state) {
    if (error.code() != ErrorCode::kClosed) return error;
    switch (state) {
      case rtmp::RtmpPushState::kPublishing:
        return Error(ErrorCode::kPublishRejected,
                     "the server refused the stream: check the stream key (closed after publish)");
      case rtmp::RtmpPushState::kConnecting:
        return Error(ErrorCode::kPublishRejected,
                     "the server closed the connection after connect: check the application name in the URL");
      default:
        return Error(ErrorCode::kClosed, "the server closed the connection during the RTMP handshake");
    }
  }

  template <typename Stream>
  awaitable<Status> read_loop(Stream& stream, rtmp::RtmpPushSession& session) {
    std::vector<uint8_t> buffer(kReadBufferSize);
    for (;;) {
      auto [ec, n] =
          co_await stream.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (stopping_) co_return ok_status();
        co_return Error(ErrorCode::kClosed, "the server closed the connection while live: " + ec.message());
      }
      if (auto st = session.feed(ByteSpan(buffer.data(), n)); !st) co_return st.error().wrap("while live");
      wake_.cancel();  // acknowledgements and ping replies go out with the next write
    }
  }

  template <typename Stream>
  awaitable<Status> write_loop(Stream& stream, rtmp::RtmpPushSession& session, OutputClock& clock) {
    std::vector<MediaPacketPtr> batch;
    std::vector<MediaPacket::FlvPrefix> prefixes;
    rtmp::ScatterList scatter;
    std::vector<asio::const_buffer> buffers;
    std::chrono::steady_clock::time_point last_write{};
    for (;;) {
      batch.clear();
      {
        std::lock_guard lock(queue_mutex_);
        if (!metadata_sent_ && (latest_video_config_ || latest_audio_config_)) {
          // First media on this connection: metadata and sequence headers at t=0, then the queued GOP.
          if (latest_video_config_) batch.push_back(latest_video_config_);
          if (latest_audio_config_) batch.push_back(latest_audio_config_);
        }
        queue_.take_all(batch);
      }
      const Bytes control = session.take_output();
      if (batch.empty() && control.empty()) {
        if (stopping_) co_return ok_status();
        writer_idle_ = true;
        {
          std::lock_guard lock(queue_mutex_);
          if (!queue_.empty()) {
            writer_idle_ = false;
            continue;
          }
        }
        co_await wait_forever(wake_);
        writer_idle_ = false;
        if (stopping_) co_return ok_status();
        co_await pace(last_write);
        continue;
      }
      scatter.clear();
      prefixes.clear();
      prefixes.reserve(batch.size());
      if (!control.empty()) {
        scatter.arena.insert(scatter.arena.end(), control.begin(), control.end());
        scatter.add_arena(0, control.size());
      }
      size_t media = 0;
      for (const auto& packet : batch) media += frame_packet(*packet, session, clock, prefixes, scatter);
      buffers.clear();
      for (const auto& piece : scatter.pieces) {
        buffers.emplace_back(piece.data != nullptr ? piece.data : scatter.arena.data() + piece.offset,
                             piece.size);
      }
      if (buffers.empty()) continue;
      last_write = std::chrono::steady_clock::now();
      // No timer per write (it would cost more than the write): write_watchdog() ends a write that stalls.
      write_started_ = last_write;
      auto [ec, written] = co_await asio::async_write(stream, buffers, asio::as_tuple(asio::use_awaitable));
      write_started_.reset();
      if (ec) {
        if (stopping_) co_return ok_status();
        co_return socket_error(ec, "write").wrap("while live");
      }
      {
        std::lock_guard lock(stats_mutex_);
        stats_.bytes += scatter.total_size;
        stats_.media_packets += media;
      }
      // A live stream keeps the writer on this tick without any wake-up from offer().
      co_await pace(last_write);
    }
  }

  // Lets one to two frames gather: one write per tick, not per message (the syscall and the wake-up
  // are the cost; DESIGN.md "Writes are batched per connection").
  // The ticks sit on one process-wide grid, so every output's timer expires at the same instant and one
  // wake-up of an I/O thread serves them all (staggered timers cost a context switch each).
  awaitable<void> pace(std::chrono::steady_clock::time_point last_write) {
    const auto since_epoch = last_write.time_since_epoch();
    const auto due =
        std::chrono::steady_clock::time_point((since_epoch / kWriteInterval + 1) * kWriteInterval);
    if (stopping_ || due <= std::chrono::steady_clock::now()) co_return;
    pace_timer_.expires_at(due);
    co_await pace_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }

  // Ends the connection when one write has made no progress for the write timeout (the server stopped
  // reading).
  awaitable<Status> write_watchdog() {
    asio::steady_timer timer(strand_);
    for (;;) {
      timer.expires_after(std::chrono::milliseconds(500));
      auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return ok_status();  // cancelled: the connection ended elsewhere
      if (write_started_ && std::chrono::steady_clock::now() - *write_started_ > options_.write_timeout) {
        cancel_connection();
        co_return Error(ErrorCode::kTimeout, "write timed out: the server stopped reading");
      }
    }
  }

  // Frames one packet into `scatter`; returns 1 when a media message was added.
  size_t frame_packet(const MediaPacket& packet, rtmp::RtmpPushSession& session, OutputClock& clock,
                      std::vector<MediaPacket::FlvPrefix>& prefixes, rtmp::ScatterList& scatter) {
    if (packet.is_config()) {
      const MediaPacket*& sent =
          packet.kind == PacketKind::kVideoConfig ? sent_video_config_ : sent_audio_config_;
      if (sent == &packet) return 0;
      sent = &packet;
      if (!metadata_sent_) {
        session.append_metadata(metadata(), scatter);
        metadata_sent_ = true;
      }
    }
    const uint32_t timestamp = clock.map_ms(packet);
    prefixes.push_back(packet.flv_prefix());
    const auto& prefix = prefixes.back();
    const std::array<ByteSpan, 2> parts{ByteSpan(prefix.bytes.data(), prefix.size), ByteSpan(packet.payload)};
    session.append_media(packet.is_video() ? rtmp::kVideo : rtmp::kAudio, timestamp, parts, scatter);
    return packet.is_config() ? 0 : 1;
  }

  rtmp::StreamMetadata metadata() {
    std::lock_guard lock(queue_mutex_);
    rtmp::StreamMetadata m;
    m.has_video = latest_video_config_ != nullptr;
    m.has_audio = latest_audio_config_ != nullptr;
    if (m.has_video) {
      m.width = latest_video_config_->video.width;
      m.height = latest_video_config_->video.height;
      m.fps = latest_video_config_->video.fps;
    }
    if (m.has_audio) {
      m.audio_sample_rate = latest_audio_config_->audio.sample_rate;
      m.audio_channels = latest_audio_config_->audio.channels;
    }
    return m;
  }

  asio::strand<asio::io_context::executor_type> strand_;
  const EndpointUrl url_;
  const OutputOptions options_;
  std::shared_ptr<ssl::context> tls_;

  // Owned by the strand: the connection loop's state.
  Backoff backoff_;
  bool stopping_ = false;
  bool went_live_ = false;
  bool metadata_sent_ = false;
  std::string codec_error_;
  std::function<void()> stop_done_;
  tcp::socket* socket_ = nullptr;  // the current connection's socket, to cancel it on stop
  std::optional<std::chrono::steady_clock::time_point> write_started_;  // a media write in flight since
  const MediaPacket* sent_video_config_ = nullptr;
  const MediaPacket* sent_audio_config_ = nullptr;

  mutable std::mutex
      queue_mutex_;  // guards queue_ and the latest configs: offer() runs on the input's thread
  PacketQueue queue_;
  MediaPacketPtr latest_video_config_;
  MediaPacketPtr latest_audio_config_;

  std::atomic<bool> writer_idle_{
      false};                      // the writer sleeps on wake_ (set on the strand, cleared by offer())
  asio::steady_timer wake_;        // the writer sleeps on it; cancel() wakes it
  asio::steady_timer pace_timer_;  // the writer's wait between two writes
  asio::steady_timer retry_timer_;

  mutable std::mutex stats_mutex_;  // guards stats_: written on the strand, read by stats()
  OutputStats stats_;
};

}  // namespace

std::shared_ptr<NetworkOutput> make_rtmp_output(asio::io_context& io, EndpointUrl url, OutputOptions options,
                                                std::shared_ptr<ssl::context> tls) {
  if (url.scheme == EndpointUrl::Scheme::kRtmps && !tls) tls = make_client_tls_context(options.insecure_tls);
  return std::make_shared<RtmpOutput>(io, std::move(url), options, std::move(tls));
}

std::shared_ptr<ssl::context> make_client_tls_context(bool insecure) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  ctx->set_default_verify_paths();
  ctx->set_verify_mode(insecure ? ssl::verify_none : ssl::verify_peer);
  return ctx;
}

}  // namespace lunora::media
