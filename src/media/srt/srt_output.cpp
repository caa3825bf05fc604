#include "media/srt/srt_output.hpp"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <thread>

#include "media/hub/output_clock.hpp"
#include "media/srt/srt_library.hpp"
#include "media/ts/ts_muxer.hpp"

namespace lunora::media {
namespace {

constexpr size_t kSrtPayload = 1316;  // 7 TS packets: the SRT live-mode convention

class SrtOutput final : public NetworkOutput {
 public:
  SrtOutput(EndpointUrl url, OutputOptions options)
      : url_(std::move(url)), options_(options), backoff_(options.backoff), queue_(options.queue) {}

  ~SrtOutput() override {
    if (!thread_.joinable()) return;
    if (thread_.get_id() == std::this_thread::get_id()) {
      // The last reference went away in the stop callback, on this output's own thread: run() touches nothing
      // after that, so let the thread finish on its own.
      thread_.detach();
      return;
    }
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

  void start() override {
    // The destructor stops and joins: the thread borrows `this`.
    thread_ = std::thread([this] { run(); });
  }

  void stop(std::function<void()> done) override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      stop_done_ = std::move(done);
      stats_.state = OutputState::kStopping;
    }
    wake_.notify_all();
  }

  OutputStats stats() const override {
    std::lock_guard lock(mutex_);
    OutputStats s = stats_;
    s.dropped_packets = queue_.dropped_packets();
    return s;
  }

  const std::string& redacted_url() const override { return url_.redacted; }

  void offer(const MediaPacketPtr& packet) override {
    {
      std::lock_guard lock(mutex_);
      queue_.push(packet);
      if (packet->kind == PacketKind::kVideoConfig) video_config_ = packet;
      if (packet->kind == PacketKind::kAudioConfig) audio_config_ = packet;
    }
    wake_.notify_one();
  }

  void on_input_codecs(const InputCodecs& codecs) override {
    std::lock_guard lock(mutex_);
    codec_error_.clear();
    if ((codecs.video != Codec::kUnknown && codecs.video != Codec::kH264) ||
        (codecs.audio != Codec::kUnknown && codecs.audio != Codec::kAac)) {
      codec_error_ = "the input carries " + std::string(codec_name(codecs.video)) + "/" +
                     std::string(codec_name(codecs.audio)) + "; SRT outputs carry H.264 and AAC only";
    }
  }

 private:
  void set_state(OutputState state) {
    std::lock_guard lock(mutex_);
    stats_.state = state;
    if (state == OutputState::kLive) stats_.live_since = std::chrono::steady_clock::now();
  }

  // Waits `delay` or until stop(); returns false when stopping.
  bool sleep(std::chrono::milliseconds delay) {
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, delay, [this] { return stopping_; });
    return !stopping_;
  }

  void run() {
    bool first = true;
    while (true) {
      {
        std::lock_guard lock(mutex_);
        if (stopping_) break;
        if (!first) ++stats_.reconnects;
      }
      first = false;
      bool went_live = false;
      const Status status = attempt(went_live);
      {
        std::lock_guard lock(mutex_);
        queue_.set_gop_only(true);
        if (stopping_) break;
      }
      if (went_live) backoff_.reset();
      const auto delay = backoff_.next();
      const Error error = status ? Error(ErrorCode::kClosed, "connection closed") : status.error();
      {
        std::lock_guard lock(mutex_);
        stats_.state = OutputState::kRetrying;
        stats_.last_error = error.message();
        stats_.last_error_code = std::string(error_code_name(error.code()));
        stats_.next_retry_in = delay;
      }
      spdlog::warn("event=output_error url={} reason={} error=\"{}\" retry_in_ms={}", url_.redacted,
                   error_code_name(error.code()), error.message(), delay.count());
      if (!sleep(delay)) break;
    }
    std::function<void()> done;
    {
      std::lock_guard lock(mutex_);
      stats_.state = OutputState::kStopped;
      done = std::move(stop_done_);
    }
    spdlog::info("event=output_stopped url={}", url_.redacted);
    if (done) done();
  }

  Status connect(SRTSOCKET socket) {
    if (auto st = apply_srt_options(socket, url_, true); !st) return st;
    const int timeout = static_cast<int>(options_.connect_timeout.count());
    srt_setsockflag(socket, SRTO_CONNTIMEO, &timeout, sizeof timeout);
    const int send_timeout = static_cast<int>(options_.write_timeout.count());
    srt_setsockflag(socket, SRTO_SNDTIMEO, &send_timeout, sizeof send_timeout);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* found = nullptr;
    const std::string port = std::to_string(url_.port);
    if (getaddrinfo(url_.host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr) {
      return Error(ErrorCode::kDns, "could not resolve " + url_.host);
    }
    const int rc = srt_connect(socket, found->ai_addr, static_cast<int>(found->ai_addrlen));
    freeaddrinfo(found);
    if (rc == SRT_ERROR) {
      return classify_srt_connect_failure(socket, "connecting to " + url_.host + ":" + port);
    }
    return ok_status();
  }

  Status attempt(bool& went_live) {
    {
      std::lock_guard lock(mutex_);
      if (!codec_error_.empty()) {
        stats_.state = OutputState::kFailed;
        return Error(ErrorCode::kUnsupportedCodec, codec_error_);
      }
    }
    set_state(OutputState::kConnecting);
    const SRTSOCKET socket = srt_create_socket();
    if (socket == SRT_INVALID_SOCK) return Error(ErrorCode::kIo, "SRT socket: " + srt_last_error());
    struct Closer {
      SRTSOCKET s;
      ~Closer() { srt_close(s); }
    } closer{socket};
    if (auto st = connect(socket); !st) return st;
    went_live = true;
    set_state(OutputState::kLive);
    spdlog::info("event=output_live url={}", url_.redacted);
    return stream(socket);
  }

  Status stream(SRTSOCKET socket) {
    TsMuxer muxer;
    // The destination's own timeline, as for RTMP: continuous across input reconnects, the slate and input
    // switches. It starts a few seconds in so the PCR (a little before the first DTS) is never negative.
    OutputClock clock;
    constexpr int64_t kTimelineStart = 10 * kTicksPerSecond;
    Bytes ts;
    std::vector<MediaPacketPtr> batch;
    {
      std::lock_guard lock(mutex_);
      queue_.set_gop_only(false);
      // A new connection starts with the configuration, so the muxer can write SPS/PPS before the first IDR.
      if (video_config_) batch.push_back(video_config_);
      if (audio_config_) batch.push_back(audio_config_);
    }
    while (true) {
      {
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stopping_ || !queue_.empty(); });
        if (stopping_) return ok_status();
        queue_.take_all(batch);
      }
      ts.clear();
      size_t media = 0;
      for (const auto& packet : batch) {
        const int64_t dts = kTimelineStart + clock.map(*packet);
        muxer.write(*packet, dts, dts + (packet->pts - packet->dts), ts);
        if (!packet->is_config()) ++media;
      }
      batch.clear();
      for (size_t off = 0; off < ts.size(); off += kSrtPayload) {
        const size_t n = std::min(kSrtPayload, ts.size() - off);
        if (srt_sendmsg2(socket, reinterpret_cast<const char*>(ts.data() + off), static_cast<int>(n),
                         nullptr) == SRT_ERROR) {
          return Error(ErrorCode::kClosed, "SRT send failed: " + srt_last_error());
        }
      }
      std::lock_guard lock(mutex_);
      stats_.bytes += ts.size();
      stats_.media_packets += media;
    }
  }

  const EndpointUrl url_;
  const OutputOptions options_;
  SrtLibrary library_;
  Backoff backoff_;  // output thread only
  std::thread thread_;

  mutable std::mutex mutex_;  // guards everything below (offer() runs on the input's thread)
  std::condition_variable wake_;
  PacketQueue queue_;
  MediaPacketPtr video_config_;
  MediaPacketPtr audio_config_;
  OutputStats stats_;
  std::string codec_error_;
  bool stopping_ = false;
  std::function<void()> stop_done_;
};

}  // namespace

std::shared_ptr<NetworkOutput> make_srt_output(EndpointUrl url, OutputOptions options) {
  return std::make_shared<SrtOutput>(std::move(url), options);
}

}  // namespace lunora::media
