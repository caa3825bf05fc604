#include "media/srt/srt_input.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <cstring>

#include "media/ts/ts_demuxer.hpp"

namespace lunora::media {
namespace {

// SRT access control rejection codes (Haivision access-control.md).
constexpr int kRejectUnauthorized = SRT_REJC_PREDEFINED + 401;
constexpr int kRejectConflict = SRT_REJC_PREDEFINED + 409;
// A live encoder sends media continuously; this long without a packet, its connection is taken for dead.
constexpr int64_t kStaleAfterMs = 1000;

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string peer_name(const sockaddr* addr) {
  std::array<char, INET6_ADDRSTRLEN> host{};
  std::array<char, 8> port{};
  const socklen_t len = addr->sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  if (getnameinfo(addr, len, host.data(), host.size(), port.data(), port.size(),
                  NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return "unknown";
  }
  return std::string(host.data()) + ":" + port.data();
}

// Hands the demuxer's output to the Hub, noting the codecs the PMT announces.
class DemuxToHub final : public TsDemuxerCallbacks {
 public:
  explicit DemuxToHub(InputRecorder& recorder) : recorder_(recorder) {}
  void on_media(MediaPacketPtr packet) override { recorder_.publish(packet); }
  void on_program(const std::vector<TsStreamInfo>& streams) override {
    InputCodecs codecs;
    for (const auto& s : streams) {
      const bool video = s.codec == Codec::kH264 || s.codec == Codec::kHevc || s.stream_type == 0x1B ||
                         s.stream_type == 0x24 || s.stream_type == 0x02 || s.stream_type == 0x10;
      if (video && codecs.video == Codec::kUnknown) {
        codecs.video = s.codec == Codec::kUnknown ? Codec::kUnknown : s.codec;
      } else if (!video && codecs.audio == Codec::kUnknown && s.codec != Codec::kUnknown) {
        codecs.audio = s.codec;
      }
    }
    recorder_.set_codecs(codecs);
  }

 private:
  InputRecorder& recorder_;
};

}  // namespace

SrtInput::SrtInput(EndpointUrl url, InputRecorder& recorder) : url_(std::move(url)), recorder_(recorder) {}

SrtInput::~SrtInput() {
  stop();
}

Status SrtInput::start() {
  listener_ = srt_create_socket();
  if (listener_ == SRT_INVALID_SOCK) return Error(ErrorCode::kIo, "SRT socket: " + srt_last_error());
  if (auto st = apply_srt_options(listener_, url_, false); !st) return st;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(url_.port);
  if (getaddrinfo(url_.host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr) {
    return Error(ErrorCode::kDns, "SRT input: cannot resolve " + url_.host);
  }
  const int bound = srt_bind(listener_, found->ai_addr, static_cast<int>(found->ai_addrlen));
  freeaddrinfo(found);
  if (bound == SRT_ERROR) {
    int system_error = 0;
    srt_getlasterror(&system_error);
    // libsrt's own text ("Connection setup failure: unable to create/configure SRT socket") hides the cause.
    const std::string why = system_error == EADDRINUSE ? "UDP port " + port + " is already in use"
                            : system_error != 0        ? std::string(std::strerror(system_error))
                                                       : srt_last_error();
    return Error(ErrorCode::kIo, "SRT input: cannot listen on " + url_.host + ":" + port + ": " + why);
  }
  srt_listen_callback(listener_, &SrtInput::on_listen, this);
  if (srt_listen(listener_, 1) == SRT_ERROR) return Error(ErrorCode::kIo, "SRT listen: " + srt_last_error());
  spdlog::info("event=input_listening protocol=srt address={}:{} passphrase={} streamid={}", url_.host,
               url_.port, url_.passphrase.empty() ? "no" : "yes", url_.streamid.empty() ? "any" : "required");
  thread_ = std::thread([this] { accept_loop(); });
  return ok_status();
}

void SrtInput::stop() {
  if (stopping_.exchange(true)) return;
  // The accept and receive loops wake at least every 200 ms to see stopping_; the listener is closed only
  // once nothing waits on it.
  if (thread_.joinable()) thread_.join();
  if (listener_ != SRT_INVALID_SOCK) srt_close(listener_);
  listener_ = SRT_INVALID_SOCK;
}

int SrtInput::on_listen(void* opaque, SRTSOCKET socket, int, const sockaddr* peer, const char* streamid) {
  auto* self = static_cast<SrtInput*>(opaque);
  const std::string presented = streamid != nullptr ? streamid : "";
  if (!self->url_.streamid.empty() && presented != self->url_.streamid) {
    spdlog::warn("event=input_rejected protocol=srt peer={} reason=wrong_streamid", peer_name(peer));
    srt_setrejectreason(socket, kRejectUnauthorized);
    return -1;
  }
  if (self->busy_ && steady_ms() - self->last_data_ms_ >= kStaleAfterMs) {
    spdlog::warn(
        "event=input_replacing protocol=srt peer={} reason=\"the connected publisher sent nothing for {} "
        "ms\"",
        peer_name(peer), steady_ms() - self->last_data_ms_);
    self->replaced_ = true;
    return 0;
  }
  if (self->busy_ || self->recorder_.busy()) {
    spdlog::warn("event=input_rejected protocol=srt peer={} reason=already_publishing", peer_name(peer));
    srt_setrejectreason(socket, kRejectConflict);
    return -1;
  }
  return 0;
}

void SrtInput::accept_loop() {
  const int poll = srt_epoll_create();
  const int events = SRT_EPOLL_IN | SRT_EPOLL_ERR;
  srt_epoll_add_usock(poll, listener_, &events);
  while (!stopping_) {
    SRT_EPOLL_EVENT ready{};
    const int n_ready = srt_epoll_uwait(poll, &ready, 1, 200);
    if (n_ready == 0) continue;
    if (n_ready < 0) {
      spdlog::error("event=input_error protocol=srt error=\"accept wait: {}\"", srt_last_error());
      break;
    }
    sockaddr_storage addr{};
    int len = sizeof addr;
    const SRTSOCKET socket = srt_accept(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    if (socket == SRT_INVALID_SOCK) {
      spdlog::error("event=input_error protocol=srt error=\"accept: {}\"", srt_last_error());
      break;
    }
    const std::string peer = peer_name(reinterpret_cast<sockaddr*>(&addr));
    last_data_ms_ = steady_ms();
    replaced_ = false;
    busy_ = true;
    receive(socket, peer);
    srt_close(socket);
    busy_ = false;
  }
  srt_epoll_release(poll);
}

void SrtInput::receive(SRTSOCKET socket, const std::string& peer) {
  if (!recorder_.claim(peer, "srt")) {
    spdlog::warn("event=input_rejected protocol=srt peer={} reason=already_publishing", peer);
    return;
  }
  spdlog::info("event=input_connected protocol=srt peer={}", peer);
  DemuxToHub sink(recorder_);
  TsDemuxer demuxer(sink, next_input_epoch());
  // Wait with a timeout so the loop notices stop(); libsrt's own peer idle timeout ends a dead connection.
  const int poll = srt_epoll_create();
  const int events = SRT_EPOLL_IN | SRT_EPOLL_ERR;
  srt_epoll_add_usock(poll, socket, &events);
  std::array<uint8_t, 1500> buffer{};
  std::string reason = "publisher disconnected";
  while (!stopping_) {
    if (replaced_) {
      reason = "replaced by a new publisher after going silent";
      break;
    }
    SRT_EPOLL_EVENT ready{};
    const int n_ready = srt_epoll_uwait(poll, &ready, 1, 200);
    if (n_ready == 0) continue;
    if (n_ready < 0) {
      reason = srt_last_error();
      break;
    }
    const int n =
        srt_recvmsg(socket, reinterpret_cast<char*>(buffer.data()), static_cast<int>(buffer.size()));
    if (n == SRT_ERROR) {
      const int code = srt_getlasterror(nullptr);
      if (code == SRT_EASYNCRCV || code == SRT_ETIMEOUT) continue;
      reason = srt_last_error();
      break;
    }
    last_data_ms_ = steady_ms();
    recorder_.received_bytes(static_cast<size_t>(n));
    demuxer.feed(ByteSpan(buffer.data(), static_cast<size_t>(n)));
  }
  srt_epoll_release(poll);
  demuxer.flush();
  const auto& s = demuxer.stats();
  spdlog::info(
      "event=input_disconnected protocol=srt peer={} reason=\"{}\" ts_packets={} resyncs={} cc_errors={}",
      peer, reason, s.packets, s.resyncs, s.continuity_errors);
  recorder_.disconnected(reason);
}

}  // namespace lunora::media
