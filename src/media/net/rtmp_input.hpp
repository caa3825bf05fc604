// RTMP listener input of `lunora relay` (OBS publishing to Lunora): an RtmpIngestServer with the one mount
// the input URL names (rtmp://HOST:PORT/APP/KEY).
#pragma once

#include <memory>

#include "core/result.hpp"
#include "media/asio_fwd.hpp"
#include "media/endpoint_url.hpp"
#include "media/net/input_stats.hpp"
#include "media/net/rtmp_ingest_server.hpp"

namespace lunora::media {

class RtmpInput {
 public:
  // `recorder` must outlive this input.
  RtmpInput(boost::asio::io_context& io, EndpointUrl url, InputRecorder& recorder);
  ~RtmpInput();
  RtmpInput(const RtmpInput&) = delete;
  RtmpInput& operator=(const RtmpInput&) = delete;

  // Binds and listens (an error when the port is taken); connections are served on the io_context.
  Status start();
  void stop();

 private:
  EndpointUrl url_;
  InputRecorder& recorder_;
  RtmpIngestServer server_;
};

}  // namespace lunora::media
