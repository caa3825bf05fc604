// SRT listener input (a hardware encoder or ffmpeg calling in with MPEG-TS): one publisher at a time,
// optional passphrase and streamid, demuxed into the Hub. Runs on its own thread: libsrt's API is blocking.
#pragma once

#include <atomic>
#include <memory>
#include <thread>

#include "core/result.hpp"
#include "media/endpoint_url.hpp"
#include "media/net/input_stats.hpp"
#include "media/srt/srt_library.hpp"

namespace lunora::media {

class SrtInput {
 public:
  SrtInput(EndpointUrl url, InputRecorder& recorder);
  ~SrtInput();
  SrtInput(const SrtInput&) = delete;
  SrtInput& operator=(const SrtInput&) = delete;

  // Binds and listens (an error when the port is taken), then accepts publishers on a thread.
  Status start();
  void stop();

 private:
  static int on_listen(void* opaque, SRTSOCKET socket, int version, const struct sockaddr* peer,
                       const char* streamid);
  void accept_loop();
  void receive(SRTSOCKET socket, const std::string& peer);

  SrtLibrary library_;
  EndpointUrl url_;
  InputRecorder& recorder_;
  SRTSOCKET listener_ = SRT_INVALID_SOCK;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> busy_{false};  // a publisher is connected: further callers are rejected ...
  // ... unless it sent nothing for kStaleAfter: an encoder that died (its connection lingers until SRT's 5-s
  // peer idle timeout) and came back is let in at once, and the stale connection is ended for it.
  std::atomic<int64_t> last_data_ms_{0};  // steady clock, of the connected publisher's latest packet
  std::atomic<bool> replaced_{false};     // a new publisher was let in: the receive loop ends the old one
  std::thread thread_;
};

}  // namespace lunora::media
