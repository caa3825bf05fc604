// An RTMP or RTMPS destination: Lunora publishing to YouTube, Twitch, nginx-rtmp, ... (DESIGN.md "The flow of
// one frame"). Owns its connection, bounded queue, clock and reconnect loop; shares payloads with every other
// output and writes only its own chunk headers, in one scatter-gather write per batch.
#pragma once

#include <memory>

#include "media/asio_fwd.hpp"
#include "media/endpoint_url.hpp"
#include "media/net/network_output.hpp"

namespace lunora::media {

// `tls` is used for rtmps:// URLs (shared by every RTMPS output; may be null for rtmp://).
std::shared_ptr<NetworkOutput> make_rtmp_output(boost::asio::io_context& io, EndpointUrl url,
                                                OutputOptions options,
                                                std::shared_ptr<boost::asio::ssl::context> tls);

// A client TLS context that verifies certificates against the system store (or nothing when `insecure`).
std::shared_ptr<boost::asio::ssl::context> make_client_tls_context(bool insecure);

}  // namespace lunora::media
