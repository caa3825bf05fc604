// RTMP listener input (OBS publishing to Lunora): accepts one publisher with the URL's app and stream key at
// a time; a wrong app or key is refused with an onStatus error, then the connection is closed, and logged.
#pragma once

#include <memory>

#include "core/result.hpp"
#include "media/asio_fwd.hpp"
#include "media/endpoint_url.hpp"
#include "media/net/input_stats.hpp"

namespace lunora::media {

class RtmpInput {
 public:
  RtmpInput(boost::asio::io_context& io, EndpointUrl url, InputRecorder& recorder);
  ~RtmpInput();
  RtmpInput(const RtmpInput&) = delete;
  RtmpInput& operator=(const RtmpInput&) = delete;

  // Binds and listens (an error when the port is taken); connections are served on the io_context.
  Status start();
  void stop();

  struct Listener;  // the acceptor and its connections, on one strand (defined in the .cpp)

 private:
  std::shared_ptr<Listener> listener_;
};

}  // namespace lunora::media
