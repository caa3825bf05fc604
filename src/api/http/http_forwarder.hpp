// Sends an API request on to another Lunora node and brings its answer back: several nodes on one store,
// where a command for a channel goes to the node that drives it (control's Outcome::forward_to).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>

#include "api/http/http_types.hpp"

namespace lunora::api {

// Marks a request one node sent to another: the receiver never forwards it again (a channel moving between
// nodes answers 503 instead of bouncing).
inline constexpr const char* kForwardedHeader = "x-lunora-forwarded-by";

// `base_url`: "http://10.0.0.7:8080" (nodes on a private network) or "https://relay.example.com" (a Lambda
// function's relay node behind a TLS proxy: certificate and name checked). The same method, target,
// body, Authorization and Content-Type; the answer's status, type and body. A node that does not answer is
// 502 `node_unreachable` naming it.
boost::asio::awaitable<HttpResponse> forward_request(
    const HttpRequest& request, const std::string& base_url, const std::string& from_node,
    std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace lunora::api
