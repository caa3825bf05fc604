// The RTMP ingest listener (OBS publishing to Lunora): one port for every channel, each channel mounted under
// its application and publish key. A publisher naming no mount is refused with an onStatus error and logged
// (the key only as a hint); one publisher per mount, and per channel across protocols (InputRecorder::claim).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "media/asio_fwd.hpp"
#include "media/net/input_stats.hpp"

namespace lunora::media {

class RtmpIngestServer {
 public:
  RtmpIngestServer(boost::asio::io_context& io, std::string host, uint16_t port);
  ~RtmpIngestServer();
  RtmpIngestServer(const RtmpIngestServer&) = delete;
  RtmpIngestServer& operator=(const RtmpIngestServer&) = delete;

  // Binds and listens (an error naming the address when the port is taken).
  Status start();
  void stop();
  uint16_t port() const;

  // Publishers to rtmp://HOST:PORT/APP/KEY feed `recorder` (kept alive while mounted). Thread-safe; replaces
  // an earlier mount of the same key.
  void mount(const std::string& app, const std::string& key, std::shared_ptr<InputRecorder> recorder);
  // Removes the mount and disconnects its live publisher. Thread-safe; `done` runs on the server's strand
  // once no new publisher can reach the recorder (the one being disconnected may still report its end to it:
  // the shared_ptr keeps it alive for that).
  void unmount(const std::string& key, std::function<void()> done = {});

  struct Listener;  // the acceptor, mounts and connections, on one strand (defined in the .cpp)

 private:
  std::shared_ptr<Listener> listener_;
};

}  // namespace lunora::media
