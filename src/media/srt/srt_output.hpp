// SRT caller output: the stream muxed to MPEG-TS and sent to any SRT listener. One thread per output
// (libsrt's API is blocking); the queue, drops and reconnect loop follow the same rules as the RTMP outputs.
#pragma once

#include <memory>

#include "media/endpoint_url.hpp"
#include "media/net/network_output.hpp"

namespace lunora::media {

std::shared_ptr<NetworkOutput> make_srt_output(EndpointUrl url, OutputOptions options);

}  // namespace lunora::media
